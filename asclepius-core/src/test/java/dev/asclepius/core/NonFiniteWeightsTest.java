package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.SafetensorsWriter;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A checkpoint with NaN or infinite weights is refused at load, naming the tensor (it generated garbage, exit 0). */
class NonFiniteWeightsTest {
    @TempDir
    Path dir;

    /** The tiny random model with {@code value} at element {@code at} of {@code tensor} (and {@code also}, if given). */
    private void writeWith(RandomModelSpec spec, String tensor, long at, float value, long also) {
        RandomModelWriter.write(dir, spec);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (SafetensorsWriter.Entry e : RandomModelWriter.entries(spec)) {
            if (e.name().equals(tensor)) {
                SafetensorsWriter.ValueSource plain = e.values();
                e = new SafetensorsWriter.Entry(e.name(), e.type(), e.shape(),
                        i -> i == at || i == also ? value : plain.value(i));
            }
            entries.add(e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
    }

    @ParameterizedTest(name = "{0} {1} in {2}")
    @CsvSource({
            "F32, NaN,       lm_head.weight,                           5",
            "F32, Infinity,  model.norm.weight,                        0",
            "F32, -Infinity, model.layers.1.mlp.down_proj.weight,      77",
            "F32, NaN,       model.layers.0.self_attn.k_proj.weight,   1000",
            "F32, NaN,       model.layers.1.post_attention_layernorm.weight, 3",
            "F32, NaN,       model.embed_tokens.weight,                2047999",
            "F16, NaN,       lm_head.weight,                           5",
            "F16, Infinity,  model.layers.0.mlp.up_proj.weight,        9",
            "BF16, NaN,      model.embed_tokens.weight,                12345",
            "BF16, -Infinity, model.layers.1.self_attn.o_proj.weight,  100",
    })
    void nonFiniteWeightIsRefusedWithTheTensorName(StorageType type, float value, String tensor, long at) {
        writeWith(RandomModelSpec.tiny().withStorage(type), tensor, at, value, -1);
        assertThatThrownBy(() -> LocalModel.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Tensor '" + tensor + "' holds NaN or infinite values");
    }

    @Test
    void hugeButFiniteWeightsStillLoad() {
        // Two values near Float.MAX_VALUE make the float32 sum overflow: the exact test must then accept them.
        writeWith(RandomModelSpec.tiny(), "model.layers.0.mlp.down_proj.weight", 10, 3e38f, 11);
        try (LocalModel model = LocalModel.load(dir)) {
            assertThat(model.info().contextLength()).isPositive();
        }
    }
}
