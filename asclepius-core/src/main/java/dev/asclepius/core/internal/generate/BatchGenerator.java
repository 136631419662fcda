package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Generates for several prompts at once. The longest token prefix all prompts share (the template and the
 * note, when several questions are asked about one note) is computed once and copied into every row.
 * The rest of each prompt is right-aligned after it, so every row writes the same cache slot at each step
 * (one in-place write per layer for the whole batch); the gap a shorter row leaves is masked and each row
 * keeps its own RoPE positions (slot minus its gap), so a row computes what it would alone. Decode reads
 * every weight once per step whatever the batch size, which is where the throughput comes from. A row
 * that finishes leaves the batch (its cache row is dropped) so the rest run narrower.
 */
public final class BatchGenerator {
    private static final float BLOCKED = -1e9f;
    /** Below this many shared tokens a separate prefix pass costs more than it saves. */
    private static final int MIN_SHARED_PREFIX = 8;

    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final Generator single;

    public BatchGenerator(LlamaModel model, TextTokenizer tokenizer, Generator single) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.single = single;
    }

    public List<GenerationResult> generate(List<int[]> prompts, GenerationConfig config, List<TokenListener> listeners,
                                           BooleanSupplier closing) {
        if (prompts.isEmpty()) {
            throw new InvalidInputException("The batch is empty: pass at least one prompt.");
        }
        if (listeners.size() != prompts.size()) {
            throw new InvalidInputException("Pass one listener per prompt (" + prompts.size() + " prompts, "
                    + listeners.size() + " listeners).");
        }
        for (int[] prompt : prompts) {
            single.validate(prompt);
        }
        PyTorchRuntime.noGrad();
        int context = model.config().contextLength();
        int rows = prompts.size();
        int shared = sharedPrefix(prompts);
        int longest = prompts.stream().mapToInt(p -> p.length - shared).max().orElseThrow();   // longest suffix
        int capacity = Math.min(context, shared + longest + config.maxNewTokens());
        List<Sequence> sequences = new ArrayList<>();
        int[] gap = new int[rows];
        for (int r = 0; r < rows; r++) {
            sequences.add(new Sequence(prompts.get(r), config, tokenizer, listeners.get(r), capacity));
            gap[r] = longest - (prompts.get(r).length - shared);
        }
        NDManager manager = model.manager();
        long started = System.nanoTime();
        long prefillEnd;
        // active[i] = index into sequences of the i-th row still in the batch
        int[] active = new int[rows];
        Arrays.setAll(active, i -> i);
        try (KvCache cache = model.newCache(rows, capacity);
             NDArray slotMask = manager.create(slotMask(shared, gap, capacity), new Shape(rows, capacity))) {
            NDArray mask = slotMask;
            int[] next;
            if (shared > 0) {
                try (KvCache prefix = model.newCache(1, shared); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    int[] ids = Arrays.copyOf(prompts.get(0), shared);
                    model.forward(manager.create(ids, new Shape(1, shared)), 0, prefix, false);
                    cache.copyPrefix(prefix, shared);
                }
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                int[] ids = new int[rows * longest];
                long[] positions = new long[rows * longest];
                for (int r = 0; r < rows; r++) {
                    int[] p = prompts.get(r);
                    System.arraycopy(p, shared, ids, r * longest + gap[r], p.length - shared);
                    for (int t = 0; t < longest; t++) {
                        positions[r * longest + t] = shared + Math.max(0, t - gap[r]);
                    }
                }
                NDArray logits = model.forward(manager.create(ids, new Shape(rows, longest)), shared,
                        manager.create(positions, new Shape(rows, longest)), mask, cache, false);
                next = choose(logits, sequences, active);
            }
            prefillEnd = System.nanoTime();
            int slot = shared + longest;
            while (true) {
                int width = active.length;
                long[] keptRows = new long[width];   // batch rows (before compaction) still running
                int kept = 0;
                for (int i = 0; i < width; i++) {
                    Sequence s = sequences.get(active[i]);
                    if (!s.accept(next[i], context)) {
                        keptRows[kept] = i;
                        active[kept] = active[i];
                        next[kept] = next[i];
                        kept++;
                    }
                }
                if (kept == 0) {
                    break;
                }
                if (slot >= capacity) {
                    // Rows shorter than the longest could go on alone; in the batch the slots are used up.
                    for (int i = 0; i < kept; i++) {
                        sequences.get(active[i]).stopForContext();
                    }
                    break;
                }
                if (closing.getAsBoolean()) {
                    throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
                }
                if (kept < width) {
                    long[] keep = Arrays.copyOf(keptRows, kept);
                    cache.keepRows(keep);
                    NDArray narrower = selectRows(mask, keep);
                    if (mask != slotMask) {
                        mask.close();
                    }
                    mask = narrower;
                    active = Arrays.copyOf(active, kept);
                    next = Arrays.copyOf(next, kept);
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    long[] positions = new long[kept];
                    for (int i = 0; i < kept; i++) {
                        positions[i] = slot - gap[active[i]];
                    }
                    NDArray logits = model.forward(manager.create(next, new Shape(kept, 1)), slot,
                            manager.create(positions, new Shape(kept, 1)), mask, cache, false);
                    next = choose(logits, sequences, active);
                }
                for (int i = 0; i < kept; i++) {
                    sequences.get(active[i]).countDecodeStep();
                }
                slot++;
            }
            if (mask != slotMask) {
                mask.close();
            }
        }
        long end = System.nanoTime();
        List<GenerationResult> results = new ArrayList<>();
        for (Sequence s : sequences) {
            results.add(s.result(Duration.ofNanos(prefillEnd - started), Duration.ofNanos(end - prefillEnd)));
        }
        return results;
    }

    private static NDArray selectRows(NDArray mask, long[] rows) {
        try (NDArray index = mask.getManager().create(rows)) {
            NDArray selected = mask.get(index);
            NDScope.unregister(selected);
            return selected;
        }
    }

    /** Additive mask [rows, capacity]: the gap after the shared prefix is blocked in each row, the rest open. */
    private static float[] slotMask(int shared, int[] gap, int capacity) {
        float[] mask = new float[gap.length * capacity];
        for (int r = 0; r < gap.length; r++) {
            Arrays.fill(mask, r * capacity + shared, r * capacity + shared + gap[r], BLOCKED);
        }
        return mask;
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
        return shared >= MIN_SHARED_PREFIX ? shared : 0;
    }

    /** Next token of every active row from [rows, vocab] logits. */
    private static int[] choose(NDArray logits, List<Sequence> sequences, int[] active) {
        boolean allGreedy = true;
        for (int index : active) {
            allGreedy &= !sequences.get(index).sampler().needsLogits();
        }
        int[] next = new int[active.length];
        if (allGreedy) {
            long[] ids = logits.argMax(-1).toLongArray();
            for (int i = 0; i < next.length; i++) {
                next[i] = (int) ids[i];
            }
            return next;
        }
        float[] all = logits.toType(DataType.FLOAT32, false).toFloatArray();
        int vocab = all.length / active.length;
        for (int i = 0; i < next.length; i++) {
            Sequence s = sequences.get(active[i]);
            float[] row = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
            next[i] = s.sampler().next(row, s.seen(), s.seenCount());
        }
        return next;
    }
}
