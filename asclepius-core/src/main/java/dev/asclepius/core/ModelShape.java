package dev.asclepius.core;

/**
 * A transformer's sizes, as read from its config (or GGUF header).
 *
 * @param layers           transformer blocks
 * @param hiddenSize       model width
 * @param heads            attention heads
 * @param kvHeads          key/value heads (less than heads with grouped-query attention)
 * @param intermediateSize MLP width
 * @param parameters       total parameter count
 */
public record ModelShape(int layers, int hiddenSize, int heads, int kvHeads, int intermediateSize, long parameters) {
}
