package dev.asclepius.core.internal.demo;

import dev.asclepius.core.internal.checkpoint.StorageType;

/**
 * The shape of a random-weight LLaMA checkpoint for demos, benchmarks and tests.
 *
 * @param maxShardBytes split the weights into shards of about this size; 0 writes one file
 */
public record RandomModelSpec(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        int contextLength,
        boolean tieWordEmbeddings,
        StorageType storage,
        long seed,
        long maxShardBytes) {

    /** A few-MB model over the LLaMA vocabulary: loads and generates in well under a second. */
    public static RandomModelSpec tiny() {
        return new RandomModelSpec("llama", 32000, 64, 172, 2, 4, 4, 2048, false, StorageType.F32, 42, 0);
    }

    /** The CPU benchmark shape: hidden 512, 8 layers, 8 heads, intermediate 1376, LLaMA vocabulary. */
    public static RandomModelSpec small() {
        return new RandomModelSpec("llama", 32000, 512, 1376, 8, 8, 8, 2048, false, StorageType.F32, 42, 0);
    }

    /** LLaMA-7B's layer shape (hidden 4096, intermediate 11008, 32 heads) with {@code layers} layers. */
    public static RandomModelSpec llama7bShape(int layers) {
        return new RandomModelSpec("llama", 32000, 4096, 11008, layers, 32, 32, 2048, false, StorageType.F32, 42, 0);
    }

    public RandomModelSpec withStorage(StorageType value) {
        return new RandomModelSpec(modelType, vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads,
                contextLength, tieWordEmbeddings, value, seed, maxShardBytes);
    }

    public RandomModelSpec withShards(long bytes) {
        return new RandomModelSpec(modelType, vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads,
                contextLength, tieWordEmbeddings, storage, seed, bytes);
    }

    public int headDim() {
        return hiddenSize / heads;
    }
}
