package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Causality, weight tying and input validation of {@link ReferenceLlama}. */
class ReferenceLlamaPropertiesTest {

    private static final ReferenceConfig CFG = ReferenceConfig.tiny();

    @Test
    void logitsAtPositionIgnoreLaterTokens() {
        ReferenceLlama model = new ReferenceLlama(CFG, RandomLlamaWeights.generate(CFG, 21));
        SplittableRandom random = new SplittableRandom(22);
        int[] ids = randomIds(random, 10);
        float[][] base = model.forward(ids);

        for (int t = 0; t < ids.length - 1; t++) {
            int[] changed = ids.clone();
            for (int s = t + 1; s < ids.length; s++) {
                changed[s] = (ids[s] + 1 + random.nextInt(CFG.vocabSize() - 1)) % CFG.vocabSize();
            }
            float[][] other = model.forward(changed);
            for (int s = 0; s <= t; s++) {
                // Bit-identical, not merely close: a position's arithmetic never touches later tokens.
                assertThat(other[s]).as("position %d after changing tokens > %d", s, t).containsExactly(base[s]);
            }
            assertThat(other[t + 1]).as("position %d sees its own new token", t + 1).isNotEqualTo(base[t + 1]);
        }
    }

    @Test
    void prefixLogitsEqualLogitsOfTheShorterPrompt() {
        // The same statement from the other side: what an incremental decoder with a KV cache relies on.
        ReferenceLlama model = new ReferenceLlama(CFG, RandomLlamaWeights.generate(CFG, 23));
        int[] ids = randomIds(new SplittableRandom(24), 8);
        float[][] full = model.forward(ids);
        for (int len = 1; len <= ids.length; len++) {
            float[][] prefix = model.forward(Arrays.copyOf(ids, len));
            assertThat(prefix[len - 1]).containsExactly(full[len - 1]);
        }
    }

    @Test
    void tiedEmbeddingsEqualUntiedModelWithCopiedHead() {
        ReferenceConfig tied = CFG.withTieWordEmbeddings(true);
        Map<String, float[]> tiedWeights = RandomLlamaWeights.generate(tied, 25);
        assertThat(tiedWeights).doesNotContainKey("lm_head.weight");

        Map<String, float[]> untiedWeights = new LinkedHashMap<>(tiedWeights);
        untiedWeights.put("lm_head.weight", tiedWeights.get("model.embed_tokens.weight").clone());

        int[] ids = randomIds(new SplittableRandom(26), 7);
        float[][] fromTied = new ReferenceLlama(tied, tiedWeights).forward(ids);
        float[][] fromUntied = new ReferenceLlama(tied.withTieWordEmbeddings(false), untiedWeights).forward(ids);

        assertThat(fromTied).isDeepEqualTo(fromUntied);
    }

    @Test
    void tiedModelIgnoresAStrayLmHead() {
        // HF ties by pointing lm_head at embed_tokens, so a saved lm_head.weight is never read.
        ReferenceConfig tied = CFG.withTieWordEmbeddings(true);
        Map<String, float[]> weights = new LinkedHashMap<>(RandomLlamaWeights.generate(tied, 27));
        int[] ids = {1, 2, 3};
        float[][] before = new ReferenceLlama(tied, weights).forward(ids);

        weights.put("lm_head.weight", RandomLlamaWeights.generate(CFG, 99).get("lm_head.weight"));

        assertThat(new ReferenceLlama(tied, weights).forward(ids)).isDeepEqualTo(before);
    }

    @Test
    void everyWeightMatters() {
        // Zeroing any single tensor must change the logits: catches a weight that is validated but unused.
        Map<String, float[]> weights = RandomLlamaWeights.generate(CFG, 28);
        int[] ids = {4, 9, 4, 30};
        float[][] base = new ReferenceLlama(CFG, weights).forward(ids);
        for (String name : RandomLlamaWeights.names(CFG)) {
            Map<String, float[]> ablated = new LinkedHashMap<>(weights);
            float[] w = weights.get(name).clone();
            // Norm weights are set to 1 rather than 0 so the check is "the norm weight is applied".
            Arrays.fill(w, RandomLlamaWeights.shapeOf(CFG, name).length == 1 ? 1f : 0f);
            ablated.put(name, w);
            assertThat(new ReferenceLlama(CFG, ablated).forward(ids)).as(name).isNotEqualTo(base);
        }
    }

    @Test
    void rejectsMissingTensor() {
        Map<String, float[]> weights = new LinkedHashMap<>(RandomLlamaWeights.generate(CFG, 29));
        weights.remove("model.layers.1.mlp.up_proj.weight");
        assertThatThrownBy(() -> new ReferenceLlama(CFG, weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.layers.1.mlp.up_proj.weight");
    }

    @Test
    void rejectsMissingLmHeadWhenUntied() {
        Map<String, float[]> weights = new LinkedHashMap<>(RandomLlamaWeights.generate(CFG, 30));
        weights.remove("lm_head.weight");
        assertThatThrownBy(() -> new ReferenceLlama(CFG, weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lm_head.weight");
    }

    @Test
    void rejectsWrongLength() {
        // k_proj sized for MHA in a GQA config: the classic mistake.
        Map<String, float[]> weights = new LinkedHashMap<>(RandomLlamaWeights.generate(CFG, 31));
        weights.put("model.layers.0.self_attn.k_proj.weight", new float[CFG.hiddenSize() * CFG.hiddenSize()]);
        assertThatThrownBy(() -> new ReferenceLlama(CFG, weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.layers.0.self_attn.k_proj.weight")
                .hasMessageContaining("expected " + CFG.kvHeads() * CFG.headDim() * CFG.hiddenSize());
    }

    @Test
    void rejectsBadTokenIds() {
        ReferenceLlama model = new ReferenceLlama(CFG, RandomLlamaWeights.generate(CFG, 32));
        assertThatThrownBy(() -> model.forward(new int[] {0, CFG.vocabSize()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 1");
        assertThatThrownBy(() -> model.forward(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.forward(new int[0])).isInstanceOf(IllegalArgumentException.class);
    }

    private static int[] randomIds(SplittableRandom random, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(CFG.vocabSize());
        }
        return ids;
    }
}
