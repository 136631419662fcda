package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer, preallocated as [batch, kv_heads, capacity, head_dim] and written in
 * place at each step (no per-step concatenation). Owns its native memory; close it after generation.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int batch;
    private final int capacity;

    KvCache(NDManager parent, ModelConfig config, int batch, int capacity, DataType dtype) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.batch = batch;
        this.keys = new NDArray[config.layers()];
        this.values = new NDArray[config.layers()];
        Shape shape = new Shape(batch, config.kvHeads(), capacity, config.headDim());
        for (int i = 0; i < config.layers(); i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
    }

    public int capacity() {
        return capacity;
    }

    public int batch() {
        return batch;
    }

    /**
     * Copies the first {@code length} slots of {@code source}'s only row into every row of this cache: a
     * prompt prefix computed once serves a whole batch.
     */
    public void copyPrefix(KvCache source, int length) {
        NDIndex rows = new NDIndex().addAllDim(2).addSliceDim(0, length);
        for (int i = 0; i < keys.length; i++) {
            try (NDArray k = source.keys(i, length); NDArray v = source.values(i, length)) {
                keys[i].set(rows, k);     // [1, ...] broadcast over the batch
                values[i].set(rows, v);
            }
        }
    }

    /**
     * Appends a row holding the first {@code length} slots of {@code source}'s only row at slots
     * {@code at .. at+length-1} (the rest zero, to be masked): a request joins a running batch.
     */
    public void appendRow(KvCache source, int length, int at) {
        NDIndex target = new NDIndex().addAllDim(2).addSliceDim(at, at + length);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = replace(keys[i], keys[i].concat(rowFrom(source.keys(i, length), target), 0));
            values[i] = replace(values[i], values[i].concat(rowFrom(source.values(i, length), target), 0));
            NDScope.unregister(keys[i], values[i]);
        }
        batch++;
    }

    private NDArray rowFrom(NDArray slots, NDIndex target) {
        Shape shape = keys[0].getShape();
        NDArray row = manager.zeros(new Shape(1, shape.get(1), capacity, shape.get(3)), keys[0].getDataType());
        row.set(target, slots);
        return row;
    }

    /** Keeps only the given rows (sequences), in that order: finished sequences leave a batch. */
    public void keepRows(long[] rows) {
        if (rows.length == batch) {
            return;
        }
        try (NDArray index = manager.create(rows)) {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = replace(keys[i], keys[i].get(index));
                values[i] = replace(values[i], values[i].get(index));
                NDScope.unregister(keys[i], values[i]);   // cache memory outlives any step scope
            }
        }
        batch = rows.length;
    }

    private static NDArray replace(NDArray old, NDArray next) {
        old.close();
        return next;
    }

    void write(int layer, int start, NDArray k, NDArray v) {
        long steps = k.getShape().get(2);
        if (start + steps > capacity) {
            throw new IllegalStateException("KV cache holds " + capacity + " positions; cannot write up to " + (start + steps));
        }
        NDIndex at = new NDIndex().addAllDim(2).addSliceDim(start, start + steps);
        keys[layer].set(at, k);
        values[layer].set(at, v);
    }

    NDArray keys(int layer, int length) {
        return keys(layer, 0, length);
    }

    NDArray values(int layer, int length) {
        return values(layer, 0, length);
    }

    /** Every row's keys at slots [from, to): [batch, kv_heads, to - from, head_dim]. */
    NDArray keys(int layer, int from, int to) {
        return keys[layer].get(new NDIndex().addAllDim(2).addSliceDim(from, to));
    }

    NDArray values(int layer, int from, int to) {
        return values[layer].get(new NDIndex().addAllDim(2).addSliceDim(from, to));
    }

    /** Row 0's keys at slots [0, length) — the prefix every row shares: [1, kv_heads, length, head_dim]. */
    NDArray prefixKeys(int layer, int length) {
        return keys[layer].get(new NDIndex().addSliceDim(0, 1).addAllDim().addSliceDim(0, length));
    }

    NDArray prefixValues(int layer, int length) {
        return values[layer].get(new NDIndex().addSliceDim(0, 1).addAllDim().addSliceDim(0, length));
    }

    @Override
    public void close() {
        manager.close();
    }
}
