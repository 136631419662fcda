package dev.asclepius.core.internal.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.asclepius.core.Device;
import dev.asclepius.core.EngineException;

/**
 * Starts DJL's PyTorch engine the way this SDK needs it: offline (natives from the classpath jars, no
 * downloads, no usage telemetry) unless the user set {@code ai.djl.offline} themselves, and with the
 * requested CPU thread count.
 */
public final class PyTorchRuntime {
    private static volatile int requestedThreads;

    private PyTorchRuntime() {
    }

    /** The started engine. Sets {@code ai.djl.offline=true} first when the property is absent. */
    public static synchronized Engine engine() {
        ensureOffline();
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new EngineException("Cannot start DJL's PyTorch engine: " + e.getMessage()
                    + ". On CPU, keep ai.djl.pytorch:pytorch-native-cpu (classifier linux-x86_64) on the classpath and "
                    + "make sure DJL_CACHE_DIR (default ~/.djl.ai) is writable; for CUDA see docs/gpu.md.", e);
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
