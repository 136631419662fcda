package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Where each row's tokens sit in the batch's shared cache slots, and what the forward pass is given for
 * that: token ids, RoPE positions and the additive mask.
 *
 * <p>Rows share cache slots. Row b's real tokens end at the current slot; the slots it must not see (left
 * of a joined prompt, or between a shared prefix and a shorter suffix) are masked, and its RoPE position is
 * the slot minus the number of masked slots after the prefix ({@link Row#gap}). Because RoPE encodes
 * positions inside the keys, a row's keys can sit at any slot and each row computes what it would alone.
 */
final class BatchLayout {
    private static final float BLOCKED = -1e9f;

    private BatchLayout() {
    }

    /**
     * Tokens every prompt starts with, leaving each at least one token of its own (the last prompt token
     * must run in the batched pass to give that row's first logits); 0 when too short to be worth a pass.
     */
    static int sharedPrefix(List<int[]> prompts) {
        if (prompts.size() < 2) {
            return 0;
        }
        int[] first = prompts.get(0);
        int shared = first.length - 1;
        for (int[] p : prompts) {
            shared = Math.min(shared, p.length - 1);
            for (int i = 0; i < shared; i++) {
                if (p[i] != first[i]) {
                    shared = i;
                    break;
                }
            }
        }
        return shared >= PrefixPolicy.MIN_SHARED_PREFIX ? shared : 0;
    }

    /**
     * Additive mask [rows, capacity]: each row's masked slots blocked, everything else open. Kept out of any
     * step scope: it lives until the batch's rows change (the caller closes it).
     */
    static NDArray mask(NDManager manager, List<Row> rows, int capacity) {
        float[] mask = new float[rows.size() * capacity];
        for (int b = 0; b < rows.size(); b++) {
            Row row = rows.get(b);
            Arrays.fill(mask, b * capacity + row.gapStart, b * capacity + row.gapStart + row.gap, BLOCKED);
        }
        NDArray array = manager.create(mask, new Shape(rows.size(), capacity));
        NDScope.unregister(array);
        return array;
    }

    /** The prompts' own tokens after a shared prefix, right-aligned: one row of {@code width} per prompt. */
    record PromptTokens(int[] ids, long[] positions, int width) {
    }

    /**
     * Lays out the rows' prompts after their {@code shared} first tokens: each row's own tokens end at the
     * same slot (row b starts {@link Row#gap} slots later), positions continue from the prefix.
     */
    static PromptTokens prompts(List<Row> rows, int shared, int width) {
        int n = rows.size();
        int[] ids = new int[n * width];
        long[] positions = new long[n * width];
        for (int b = 0; b < n; b++) {
            Row row = rows.get(b);
            int[] p = row.request.prompt();
            System.arraycopy(p, shared, ids, b * width + row.gap, p.length - shared);
            for (int t = 0; t < width; t++) {
                positions[b * width + t] = shared + Math.max(0, t - row.gap);
            }
        }
        return new PromptTokens(ids, positions, width);
    }

    /** Slots the prompts' own tokens (after {@code shared}) take when right-aligned: the longest one's. */
    static int width(List<int[]> prompts, int shared) {
        return prompts.stream().mapToInt(p -> p.length - shared).max().orElseThrow();
    }

    /** Masked slots of each row when the prompts start together: {@code width} minus its own tokens. */
    static int gap(int[] prompt, int shared, int width) {
        return width - (prompt.length - shared);
    }

    /** Each row's pending token and its position, for a decode step at {@code slot}. */
    record StepTokens(int[] ids, long[] positions) {
    }

    static StepTokens step(List<Row> rows, int slot) {
        int n = rows.size();
        int[] ids = new int[n];
        long[] positions = new long[n];
        for (int b = 0; b < n; b++) {
            ids[b] = rows.get(b).next;
            positions[b] = rows.get(b).position(slot);
        }
        return new StepTokens(ids, positions);
    }

    /** Indices 0 .. width-2: every row but the last (a joined row that finished on its first token). */
    static long[] allButLast(int width) {
        long[] keep = new long[width - 1];
        Arrays.setAll(keep, i -> i);
        return keep;
    }
}
