package dev.asclepius.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Hostile or broken config.json values: each refused with a CheckpointException naming the field. */
class ModelConfigValidationTest {
    private static final Path FILE = Path.of("model", "config.json");

    private static JsonObject valid() {
        return JsonParser.parseString("""
                {"model_type": "llama", "vocab_size": 32000, "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
                 "tie_word_embeddings": false}""").getAsJsonObject();
    }

    private static ModelConfig parseWith(String field, String jsonValue) {
        JsonObject o = valid();
        o.add(field, JsonParser.parseString(jsonValue));
        return ModelConfig.parse(o, FILE);
    }

    @Test
    void validConfigParses() {
        ModelConfig c = ModelConfig.parse(valid(), FILE);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.groupSize()).isEqualTo(2);
        assertThat(c.contextLength()).isEqualTo(4096);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6f);
        // An integer written as 64.0 is still exactly 64.
        assertThat(parseWith("hidden_size", "64.0").hiddenSize()).isEqualTo(64);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "num_attention_heads     | 0                 | between 1 and 64",
            "num_attention_heads     | 6                 | does not divide hidden_size",
            "num_key_value_heads     | 3                 | does not divide num_attention_heads",
            "num_key_value_heads     | 0                 | between 1 and 4",
            "rms_norm_eps            | \"abc\"           | must be a number",
            "rms_norm_eps            | 0                 | finite positive",
            "rms_norm_eps            | -1e-5             | finite positive",
            "rms_norm_eps            | 1e-60             | finite positive",
            "rms_norm_eps            | 1e60              | finite positive",
            "rope_theta              | NaN               | must be a number",
            "rope_theta              | -10000            | finite positive",
            "max_position_embeddings | 100000000         | raise -Xmx",
            "max_position_embeddings | 200000000         | raise -Xmx",
            "max_position_embeddings | 0                 | between 1 and",
            "vocab_size              | 4294999296        | between 1 and 2147483647",
            "vocab_size              | 2147483648        | between 1 and 2147483647",
            "vocab_size              | \"32000\"         | must be an integer",
            "hidden_size             | 64.9              | must be a whole number",
            "hidden_size             | 1e400             | must be a whole number",
            "num_hidden_layers       | [2]               | must be an integer",
            "num_hidden_layers       | -2                | between 1 and",
            "tie_word_embeddings     | \"yes\"           | true or false",
            "sliding_window          | 0                 | between 1 and",
            "head_dim                | 15                | head width 15",
            "model_type              | {}                | must be a string",
    })
    void invalidFieldIsNamed(String field, String value, String why) {
        assertThatThrownBy(() -> parseWith(field, value)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(FILE.toString()).hasMessageContaining("'" + field + "'")
                .hasMessageContaining(why);
    }

    @Test
    void missingRequiredFieldIsNamed() {
        JsonObject o = valid();
        o.remove("vocab_size");
        assertThatThrownBy(() -> ModelConfig.parse(o, FILE)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("required field 'vocab_size' is missing");
    }

    @Test
    void slidingWindowCapsTheContext() {
        assertThat(parseWith("sliding_window", "1024").contextLength()).isEqualTo(1024);
        assertThat(parseWith("sliding_window", "8192").contextLength()).isEqualTo(4096);
    }
}
