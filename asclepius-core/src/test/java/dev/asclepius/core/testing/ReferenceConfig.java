package dev.asclepius.core.testing;

/**
 * Architecture hyper-parameters of a LLaMA / Mistral decoder, named after the HF {@code config.json}
 * fields they mirror. Only what the forward pass needs is here: no max context (the reference has no
 * position limit) and no sliding window (our Mistral checkpoints never exceed it).
 *
 * @param vocabSize         {@code vocab_size}
 * @param hiddenSize        {@code hidden_size}
 * @param intermediateSize  {@code intermediate_size} (MLP width)
 * @param layers            {@code num_hidden_layers}
 * @param heads             {@code num_attention_heads}
 * @param kvHeads           {@code num_key_value_heads}; equal to {@code heads} for plain multi-head attention
 * @param ropeTheta         {@code rope_theta}
 * @param rmsNormEps        {@code rms_norm_eps}
 * @param tieWordEmbeddings {@code tie_word_embeddings}: the LM head reuses {@code embed_tokens}
 */
public record ReferenceConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings) {

    public ReferenceConfig {
        requirePositive(vocabSize, "vocabSize");
        requirePositive(hiddenSize, "hiddenSize");
        requirePositive(intermediateSize, "intermediateSize");
        requirePositive(layers, "layers");
        requirePositive(heads, "heads");
        requirePositive(kvHeads, "kvHeads");
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not divisible by heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
        // rotate_half splits every head in two halves, so an odd head dimension has no RoPE definition.
        if ((hiddenSize / heads) % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + hiddenSize / heads + " must be even for RoPE");
        }
        if (!(ropeTheta > 0)) {
            throw new IllegalArgumentException("ropeTheta must be > 0, got " + ropeTheta);
        }
        // eps == 0 is allowed: the hand-computed tests use it to keep their arithmetic exact.
        if (!(rmsNormEps >= 0)) {
            throw new IllegalArgumentException("rmsNormEps must be >= 0, got " + rmsNormEps);
        }
    }

    /** Dimension of one attention head ({@code hidden_size / num_attention_heads}, as HF LLaMA computes it). */
    public int headDim() {
        return hiddenSize / heads;
    }

    /** How many query heads share one key/value head. */
    public int queriesPerKvHead() {
        return heads / kvHeads;
    }

    /**
     * A few-KB model exercising every feature: grouped-query attention (4 query heads on 2 kv heads),
     * two layers (so a bug in the residual stream between layers shows) and an MLP wider than hidden.
     */
    public static ReferenceConfig tiny() {
        return new ReferenceConfig(32, 16, 40, 2, 4, 2, 10000.0, 1e-5, false);
    }

    /** Hidden 64 / 2 layers / vocab 256: big enough to be realistic, still milliseconds per forward. */
    public static ReferenceConfig small() {
        return new ReferenceConfig(256, 64, 172, 2, 8, 4, 10000.0, 1e-5, false);
    }

    public ReferenceConfig withKvHeads(int newKvHeads) {
        return new ReferenceConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, newKvHeads,
                ropeTheta, rmsNormEps, tieWordEmbeddings);
    }

    public ReferenceConfig withTieWordEmbeddings(boolean tie) {
        return new ReferenceConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads,
                ropeTheta, rmsNormEps, tie);
    }

    public ReferenceConfig withLayers(int newLayers) {
        return new ReferenceConfig(vocabSize, hiddenSize, intermediateSize, newLayers, heads, kvHeads,
                ropeTheta, rmsNormEps, tieWordEmbeddings);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
