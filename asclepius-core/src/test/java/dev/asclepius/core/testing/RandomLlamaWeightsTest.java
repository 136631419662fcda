package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomLlamaWeightsTest {

    private static final ReferenceConfig CFG = ReferenceConfig.tiny();

    @Test
    void namesAreInHfOrderAndOmitLmHeadWhenTied() {
        List<String> names = RandomLlamaWeights.names(CFG);
        assertThat(names).hasSize(1 + 9 * CFG.layers() + 2);
        assertThat(names.get(0)).isEqualTo("model.embed_tokens.weight");
        assertThat(names.subList(1, 10)).containsExactly(
                "model.layers.0.input_layernorm.weight",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.k_proj.weight",
                "model.layers.0.self_attn.v_proj.weight",
                "model.layers.0.self_attn.o_proj.weight",
                "model.layers.0.post_attention_layernorm.weight",
                "model.layers.0.mlp.gate_proj.weight",
                "model.layers.0.mlp.up_proj.weight",
                "model.layers.0.mlp.down_proj.weight");
        assertThat(names).endsWith("model.norm.weight", "lm_head.weight");
        assertThat(RandomLlamaWeights.names(CFG.withTieWordEmbeddings(true)))
                .doesNotContain("lm_head.weight")
                .endsWith("model.norm.weight");
    }

    @Test
    void shapesFollowHfOutInConvention() {
        int hidden = CFG.hiddenSize();
        long kvDim = (long) CFG.kvHeads() * CFG.headDim();
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.embed_tokens.weight")).containsExactly(CFG.vocabSize(), hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.1.self_attn.q_proj.weight")).containsExactly(hidden, hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.1.self_attn.k_proj.weight")).containsExactly(kvDim, hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.1.self_attn.v_proj.weight")).containsExactly(kvDim, hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.1.mlp.gate_proj.weight"))
                .containsExactly(CFG.intermediateSize(), hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.1.mlp.down_proj.weight"))
                .containsExactly(hidden, CFG.intermediateSize());
        assertThat(RandomLlamaWeights.shapeOf(CFG, "model.layers.0.input_layernorm.weight")).containsExactly(hidden);
        assertThat(RandomLlamaWeights.shapeOf(CFG, "lm_head.weight")).containsExactly(CFG.vocabSize(), hidden);
    }

    @Test
    void shapeOfRejectsUnknownNames() {
        for (String bad : new String[] {"model.layers.2.mlp.up_proj.weight", "model.layers.0.mlp.up.weight",
                "model.layers.01.mlp.up_proj.weight", "model.layers.x.mlp.up_proj.weight", "embed_tokens.weight"}) {
            assertThatThrownBy(() -> RandomLlamaWeights.shapeOf(CFG, bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void generatedWeightsMatchShapesAndAreAcceptedByTheReference() {
        Map<String, float[]> weights = RandomLlamaWeights.generate(CFG, 1);
        assertThat(weights.keySet()).containsExactlyElementsOf(RandomLlamaWeights.names(CFG));
        for (String name : weights.keySet()) {
            assertThat((long) weights.get(name).length).as(name)
                    .isEqualTo(RandomLlamaWeights.numel(RandomLlamaWeights.shapeOf(CFG, name)));
        }
        new ReferenceLlama(CFG, weights); // independent shape check
    }

    @Test
    void generationIsDeterministicPerSeedAndTensor() {
        Map<String, float[]> a = RandomLlamaWeights.generate(CFG, 7);
        Map<String, float[]> b = RandomLlamaWeights.generate(CFG, 7);
        Map<String, float[]> c = RandomLlamaWeights.generate(CFG, 8);
        for (String name : a.keySet()) {
            assertThat(a.get(name)).as(name).containsExactly(b.get(name));
            assertThat(a.get(name)).as(name).isNotEqualTo(c.get(name));
        }
        // Per-tensor streams: tying or adding layers does not reshuffle the other tensors.
        Map<String, float[]> tied = RandomLlamaWeights.generate(CFG.withTieWordEmbeddings(true), 7);
        Map<String, float[]> deeper = RandomLlamaWeights.generate(CFG.withLayers(3), 7);
        for (String name : tied.keySet()) {
            assertThat(tied.get(name)).as(name).containsExactly(a.get(name));
        }
        assertThat(deeper.get("model.layers.1.mlp.up_proj.weight")).containsExactly(a.get("model.layers.1.mlp.up_proj.weight"));
        // Two projections of the same shape must not share values.
        assertThat(a.get("model.layers.0.mlp.gate_proj.weight")).isNotEqualTo(a.get("model.layers.0.mlp.up_proj.weight"));
    }

    @Test
    void scalesAreRealistic() {
        ReferenceConfig cfg = ReferenceConfig.small();
        Map<String, float[]> weights = RandomLlamaWeights.generate(cfg, 3);
        float[] norm = weights.get("model.layers.0.input_layernorm.weight");
        for (float v : norm) {
            assertThat(v).isBetween(0.9f, 1.1f);
        }
        assertThat(std(norm)).isGreaterThan(0.03); // spread out, not all ~1
        assertThat(std(weights.get("model.embed_tokens.weight"))).isBetween(0.45, 0.55);
        assertThat(std(weights.get("model.layers.0.self_attn.q_proj.weight"))).isBetween(0.02, 0.1);

        // The model's output distribution is neither flat nor one-hot.
        float[][] logits = new ReferenceLlama(cfg, weights).forward(new int[] {1, 50, 7, 200, 13});
        for (float[] row : logits) {
            double maxProb = maxSoftmax(row);
            assertThat(std(row)).isBetween(0.1, 10.0);
            assertThat(maxProb).isLessThan(0.9).isGreaterThan(1.5 / cfg.vocabSize());
        }
    }

    @Test
    void writesHfConfigJson(@TempDir Path dir) throws Exception {
        ReferenceConfig cfg = ReferenceConfig.small().withTieWordEmbeddings(true);
        RandomLlamaWeights.writeConfigJson(cfg, dir.resolve("llama"), "llama");
        RandomLlamaWeights.writeConfigJson(cfg, dir.resolve("mistral"), "mistral", 32768);

        JsonObject llama = JsonParser.parseString(Files.readString(dir.resolve("llama/config.json"))).getAsJsonObject();
        assertThat(llama.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("LlamaForCausalLM");
        assertThat(llama.get("model_type").getAsString()).isEqualTo("llama");
        assertThat(llama.get("hidden_size").getAsInt()).isEqualTo(cfg.hiddenSize());
        assertThat(llama.get("intermediate_size").getAsInt()).isEqualTo(cfg.intermediateSize());
        assertThat(llama.get("num_attention_heads").getAsInt()).isEqualTo(cfg.heads());
        assertThat(llama.get("num_hidden_layers").getAsInt()).isEqualTo(cfg.layers());
        assertThat(llama.get("num_key_value_heads").getAsInt()).isEqualTo(cfg.kvHeads());
        assertThat(llama.get("vocab_size").getAsInt()).isEqualTo(cfg.vocabSize());
        assertThat(llama.get("max_position_embeddings").getAsInt()).isEqualTo(2048);
        assertThat(llama.get("rms_norm_eps").getAsDouble()).isEqualTo(cfg.rmsNormEps());
        assertThat(llama.get("rope_theta").getAsDouble()).isEqualTo(cfg.ropeTheta());
        assertThat(llama.get("tie_word_embeddings").getAsBoolean()).isTrue();
        assertThat(llama.get("bos_token_id").getAsInt()).isEqualTo(1);
        assertThat(llama.get("eos_token_id").getAsInt()).isEqualTo(2);
        assertThat(llama.get("torch_dtype").getAsString()).isEqualTo("float32");
        assertThat(llama.has("sliding_window")).isFalse();

        JsonObject mistral = JsonParser.parseString(Files.readString(dir.resolve("mistral/config.json"))).getAsJsonObject();
        assertThat(mistral.getAsJsonArray("architectures").get(0).getAsString()).isEqualTo("MistralForCausalLM");
        assertThat(mistral.get("model_type").getAsString()).isEqualTo("mistral");
        assertThat(mistral.get("max_position_embeddings").getAsInt()).isEqualTo(32768);
        assertThat(mistral.get("sliding_window").isJsonNull()).isTrue();

        assertThatThrownBy(() -> RandomLlamaWeights.writeConfigJson(cfg, dir, "gpt2"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double std(float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double var = 0;
        for (float v : values) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / values.length);
    }

    private static double maxSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return 1 / sum;
    }
}
