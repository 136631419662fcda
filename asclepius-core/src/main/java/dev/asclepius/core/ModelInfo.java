package dev.asclepius.core;

import java.nio.file.Path;

/**
 * Facts about a loaded model.
 *
 * @param source          the folder (or endpoint) the model came from
 * @param modelType       {@code llama} or {@code mistral}
 * @param layers          transformer blocks
 * @param hiddenSize      model width
 * @param heads           attention heads
 * @param kvHeads         key/value heads (less than heads with grouped-query attention)
 * @param intermediateSize MLP width
 * @param vocabSize       vocabulary size
 * @param contextLength   most tokens (prompt + generated) the model handles
 * @param parameters      total parameter count
 * @param device          where it runs
 * @param computeType     weight and compute type
 */
public record ModelInfo(
        Path source,
        String modelType,
        int layers,
        int hiddenSize,
        int heads,
        int kvHeads,
        int intermediateSize,
        int vocabSize,
        int contextLength,
        long parameters,
        Device device,
        ComputeType computeType) {
}
