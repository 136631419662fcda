package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.UnsupportedModelException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** asclepius-tasks does not depend on the llama.cpp backend: asking for a GGUF model without it names the artifact. */
class GgufWithoutProviderTest {
    @Test
    void ggufPathWithoutTheBackendOnTheClassPathSaysWhatToAdd() {
        assertThatThrownBy(() -> AsclepiusClient.builder().model(Path.of("/models/asclepius-7b.Q8_0.gguf")).build())
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("dev.asclepius:asclepius-llamacpp");
        assertThatThrownBy(() -> AsclepiusClient.builder().model("starmpcc/Asclepius-7B-GGUF")
                .ggufFile("asclepius-7b.Q8_0.gguf").offline(true).build())
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("asclepius-llamacpp");
    }
}
