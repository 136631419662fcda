package dev.asclepius.core.internal.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.asclepius.core.Device;
import dev.asclepius.core.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Starts DJL's PyTorch engine the way this SDK needs it: offline (natives from the classpath jars, no
 * downloads, no usage telemetry) unless the user set {@code ai.djl.offline} themselves, and with the
 * requested CPU thread count.
 */
public final class PyTorchRuntime {
    private static volatile int requestedThreads;

    private PyTorchRuntime() {
    }

    /** The platforms DJL publishes PyTorch 2.7.1 CPU natives for (pytorch-native-cpu classifiers on Maven Central). */
    public static final List<String> SUPPORTED_PLATFORMS = List.of("linux-x86_64", "linux-aarch64", "osx-aarch64", "win-x86_64");

    /** The started engine. Sets {@code ai.djl.offline=true} first when the property is absent. */
    public static synchronized Engine engine() {
        ensureOffline();
        boolean ownLibtorch = System.getenv("PYTORCH_LIBRARY_PATH") != null;
        String platform = platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        unsupportedPlatform(platform, ownLibtorch).ifPresent(message -> {
            throw new EngineException(message);
        });
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            String natives = ownLibtorch || nativesOnClassPath(platform) ? ""
                    : " The class path has no PyTorch natives for this machine: add ai.djl.pytorch:pytorch-native-cpu:2.7.1 with "
                    + "classifier " + platform + " (the asclepius-parent POM picks it by OS and architecture; to build for "
                    + "another machine pass -Dpytorch.native.classifier=" + platform + ").";
            throw new EngineException("Cannot start DJL's PyTorch engine: " + e.getMessage() + "." + natives
                    + " On CPU, keep ai.djl.pytorch:pytorch-native-cpu (classifier " + platform + ") on the class path and "
                    + "make sure DJL_CACHE_DIR (default ~/.djl.ai) is writable; for CUDA see docs/gpu.md.", e);
        }
    }

    /** DJL's name for a platform, e.g. {@code linux-x86_64}, {@code osx-aarch64}, {@code win-x86_64}. */
    public static String platform(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux") ? "linux" : name.startsWith("mac") || name.startsWith("darwin") ? "osx"
                : name.startsWith("windows") ? "win" : name.replace(' ', '_');
        String a = osArch.toLowerCase(Locale.ROOT);
        String arch = a.equals("amd64") || a.equals("x86_64") || a.equals("x64") ? "x86_64"
                : a.equals("aarch64") || a.equals("arm64") ? "aarch64" : a;
        return os + "-" + arch;
    }

    /**
     * The error for a platform without published natives, unless the user brings their own libtorch
     * (PYTORCH_LIBRARY_PATH): without this DJL fails later with a bare "no native library" message.
     */
    public static Optional<String> unsupportedPlatform(String platform, boolean ownLibtorch) {
        if (ownLibtorch || SUPPORTED_PLATFORMS.contains(platform)) {
            return Optional.empty();
        }
        return Optional.of("This machine (" + platform + ") has no PyTorch 2.7.1 CPU build from DJL: natives are published "
                + "for " + String.join(", ", SUPPORTED_PLATFORMS) + " only (Intel Macs are not supported by PyTorch 2.3+). "
                + "Run on one of those, or set PYTORCH_LIBRARY_PATH to a libtorch 2.7.1 built for this machine "
                + "(with PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cpu).");
    }

    /** Whether a pytorch-native jar for {@code platform} is on the class path (its native/lib/pytorch.properties). */
    static boolean nativesOnClassPath(String platform) {
        try {
            ClassLoader loader = PyTorchRuntime.class.getClassLoader();
            Enumeration<URL> found = loader.getResources("native/lib/pytorch.properties");
            while (found.hasMoreElements()) {
                Properties p = new Properties();
                try (InputStream in = found.nextElement().openStream()) {
                    p.load(in);
                }
                if (platform.equals(p.getProperty("classifier"))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;   // cannot tell: say nothing rather than something wrong
        }
    }

    /** Sets {@code ai.djl.offline=true} unless the user chose a value (system property or DJL_OFFLINE). */
    public static void ensureOffline() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /**
     * Turns autograd off for the calling thread (PyTorch's grad mode is thread-local and on by default).
     * Inference never needs it, and with it on every op also builds autograd metadata: measured 30-60%
     * slower small ops.
     */
    public static void noGrad() {
        JniUtils.setGradMode(false);
    }

    /**
     * Prepares a thread that will run forward passes: autograd off, and the process's chosen intra-op
     * thread count applied (OpenMP keeps that setting per calling thread).
     */
    public static void prepareThread() {
        noGrad();
        int n = requestedThreads;
        if (n > 0) {
            JniUtils.setNumThreads(n);
        }
    }

    /**
     * Sets the intra-op thread count for work the calling thread starts from now on (OpenMP and MKL keep
     * it per calling thread); the generation thread switches between its prefill and decode counts.
     */
    public static void applyThreads(int count) {
        JniUtils.setNumThreads(count);
    }

    /** Runs {@code work} with {@code count} intra-op threads on this thread, then restores the previous count. */
    public static <T> T withThreads(int count, java.util.function.Supplier<T> work) {
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(count);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** Sets PyTorch's intra-op thread count (process-wide). */
    public static void threads(int count) {
        engine();
        requestedThreads = count;
        JniUtils.setNumThreads(count);
    }

    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** The DJL device for {@code device}, after checking a GPU is there. */
    public static ai.djl.Device toDjl(Device device) {
        Engine engine = engine();
        if (!device.isGpu()) {
            return ai.djl.Device.cpu();
        }
        int gpus = engine.getGpuCount();
        if (device.index() >= gpus) {
            throw new EngineException("Device " + device + " requested but PyTorch sees " + gpus + " GPU(s). "
                    + (gpus == 0 ? "The CPU build of libtorch is loaded: for CUDA, set PYTORCH_LIBRARY_PATH to a "
                    + "libtorch 2.7.1+cu128 and PYTORCH_FLAVOR=cu128 and remove pytorch-native-cpu (docs/gpu.md)."
                    : "Pick an index below " + gpus + "."));
        }
        return ai.djl.Device.gpu(device.index());
    }
}
