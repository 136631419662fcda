package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;

/** The next token of every row of a forward pass, greedy on the device or sampled on the host. */
final class NextTokens {
    private NextTokens() {
    }

    /**
     * Next token of every row from [rows, vocab] logits, stored as each row's {@link Row#next}. When every
     * row is greedy without a penalty this is one argmax on the device and only the ids come to the host;
     * otherwise the logits come to the host and each row's {@link Sampler} draws.
     */
    static void choose(NDArray logits, List<Row> rows) {
        boolean allGreedy = true;
        for (Row row : rows) {
            allGreedy &= !row.sequence.sampler().needsLogits();
        }
        if (allGreedy) {
            long[] ids = logits.argMax(-1).toLongArray();
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i).next = (int) ids[i];
            }
            return;
        }
        float[] all = logits.toType(DataType.FLOAT32, false).toFloatArray();
        int vocab = all.length / rows.size();
        for (int i = 0; i < rows.size(); i++) {
            Sequence s = rows.get(i).sequence;
            rows.get(i).next = s.sampler().next(Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab), s.seen(),
                    s.seenCount());
        }
    }
}
