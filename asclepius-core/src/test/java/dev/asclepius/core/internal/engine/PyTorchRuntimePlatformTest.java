package dev.asclepius.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The platform names and the startup error for machines DJL publishes no PyTorch natives for. */
class PyTorchRuntimePlatformTest {
    @Test
    void namesPlatformsAsDjlClassifiersDo() {
        assertThat(PyTorchRuntime.platform("Linux", "amd64")).isEqualTo("linux-x86_64");
        assertThat(PyTorchRuntime.platform("Linux", "aarch64")).isEqualTo("linux-aarch64");
        assertThat(PyTorchRuntime.platform("Mac OS X", "aarch64")).isEqualTo("osx-aarch64");
        assertThat(PyTorchRuntime.platform("Mac OS X", "x86_64")).isEqualTo("osx-x86_64");
        assertThat(PyTorchRuntime.platform("Windows 11", "amd64")).isEqualTo("win-x86_64");
        assertThat(PyTorchRuntime.platform("FreeBSD", "amd64")).isEqualTo("freebsd-x86_64");
    }

    @Test
    void unsupportedPlatformGetsAClearErrorUnlessTheUserBringsLibtorch() {
        for (String supported : PyTorchRuntime.SUPPORTED_PLATFORMS) {
            assertThat(PyTorchRuntime.unsupportedPlatform(supported, false)).isEmpty();
        }
        assertThat(PyTorchRuntime.unsupportedPlatform("osx-x86_64", false)).hasValueSatisfying(m -> assertThat(m)
                .contains("osx-x86_64").contains("linux-x86_64, linux-aarch64, osx-aarch64, win-x86_64")
                .contains("PYTORCH_LIBRARY_PATH"));
        assertThat(PyTorchRuntime.unsupportedPlatform("linux-ppc64le", false)).isPresent();
        assertThat(PyTorchRuntime.unsupportedPlatform("linux-ppc64le", true)).isEmpty();
    }

    @Test
    void findsTheNativesJarOfThisMachineOnly() {
        String here = PyTorchRuntime.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(PyTorchRuntime.nativesOnClassPath(here)).isTrue();   // the build put this machine's jar there
        String other = here.equals("osx-aarch64") ? "win-x86_64" : "osx-aarch64";
        assertThat(PyTorchRuntime.nativesOnClassPath(other)).isFalse();
    }
}
