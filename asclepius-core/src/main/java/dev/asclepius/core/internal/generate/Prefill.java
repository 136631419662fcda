package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs prompts into a batch's cache and chooses each row's first token: the requests a batch starts with
 * (a lone prompt by the plain single-sequence pass; several with their common prefix computed once, then
 * their own tokens in one batched pass), and a request that joins a running batch (prefilled alone, its
 * keys and values appended as a new row). Prompt tokens the prefix cache holds are copied, not computed.
 */
final class Prefill {
    private final GuardedEngine engine;
    private final PrefixPolicy prefixes;
    private final TextTokenizer tokenizer;

    Prefill(GuardedEngine engine, PrefixPolicy prefixes, TextTokenizer tokenizer) {
        this.engine = engine;
        this.prefixes = prefixes;
        this.tokenizer = tokenizer;
    }

    /**
     * A batch after its prompts ran.
     *
     * @param rows         its rows, each with its first token chosen
     * @param slot         the next free cache slot
     * @param sharedPrefix slots every row holds identically (the attention reads them once for all rows)
     */
    record Started(List<Row> rows, int slot, int sharedPrefix) {
    }

    /** Prefills the requests a batch starts with into {@code cache} (one row each). */
    Started start(List<Request> requests, KvCache cache, int capacity, long started) {
        engine.usePromptThreads();
        return requests.size() == 1 ? alone(requests.get(0), cache, capacity, started)
                : together(requests, cache, capacity, started);
    }

    private Started alone(Request r, KvCache cache, int capacity, long started) {
        Row row = new Row(r, tokenizer, capacity, 0, 0, started);
        int[] prompt = r.prompt();
        String scope = r.config().cacheScope();
        int reused = prefixes.reusable(prompt, prompt.length - 1, scope);   // the last token must run to give logits
        engine.step(() -> {
            NextTokens.choose(forwardAlone(prompt, reused, cache), List.of(row));
            prefixes.retain(prompt, cache, capacity, scope);
            return null;
        });
        row.sequence.cachedPromptTokens(reused);
        return new Started(List.of(row), prompt.length, 0);
    }

    private Started together(List<Request> requests, KvCache cache, int capacity, long started) {
        List<int[]> prompts = requests.stream().map(Request::prompt).toList();
        // Prompts of different cache scopes never share computed keys and values, not even within a batch.
        String scope = requests.get(0).config().cacheScope();
        boolean oneScope = requests.stream().allMatch(r -> r.config().cacheScope().equals(scope));
        int shared = oneScope ? BatchLayout.sharedPrefix(prompts) : 0;
        int width = BatchLayout.width(prompts, shared);
        List<Row> rows = new ArrayList<>();
        for (Request r : requests) {
            rows.add(new Row(r, tokenizer, capacity, shared, BatchLayout.gap(r.prompt(), shared, width), started));
        }
        LlamaModel model = engine.model();
        NDArray mask = engine.open(() -> BatchLayout.mask(model.manager(), rows, capacity));
        try {
            if (shared > 0) {
                int reused = sharePrefix(Arrays.copyOf(prompts.get(0), shared), cache, (long) rows.size() * capacity,
                        scope);
                rows.forEach(row -> row.sequence.cachedPromptTokens(reused));
            }
            BatchLayout.PromptTokens tokens = BatchLayout.prompts(rows, shared, width);
            engine.step(() -> {
                NDArray positions = model.manager().create(tokens.positions(), new Shape(rows.size(), width));
                NextTokens.choose(model.forward(tokens.ids(), rows.size(), shared, positions, mask, cache, shared,
                        false), rows);
                return null;
            });
        } finally {
            engine.freeing(mask::close);
        }
        return new Started(rows, shared + width, shared);
    }

    /**
     * Fills every row of {@code cache} with the keys and values of {@code prefix} (the batch's shared prefix):
     * copied when the prefix cache holds all of it, else computed once from what it holds.
     *
     * @return prompt tokens copied from the prefix cache
     */
    private int sharePrefix(int[] prefix, KvCache cache, long batchSlots, String scope) {
        int reused = prefixes.reusable(prefix, prefix.length, scope);
        engine.step(() -> {
            if (reused == prefix.length) {
                cache.copyPrefix(prefixes.kv(), prefix.length);
            } else {
                computePrefix(prefix, reused, cache, batchSlots, scope);
            }
            return null;
        });
        return reused;
    }

    /**
     * Computes the keys and values of {@code tokens} (a batch's shared prefix) once, starting from the first
     * {@code reused} that the prefix cache holds, copies them into every row of {@code cache}, and keeps them
     * as the prefix cache's entry when the policy allows.
     */
    private void computePrefix(int[] tokens, int reused, KvCache cache, long batchSlots, String scope) {
        KvCache prefix = engine.model().newCache(1, tokens.length);
        try {
            forwardAlone(tokens, reused, prefix);
            cache.copyPrefix(prefix, tokens.length);
        } catch (RuntimeException e) {
            prefix.close();
            throw e;
        }
        prefixes.keepOrClose(tokens, prefix, batchSlots, scope);
    }

    /**
     * Prefills a request that joins a running batch: alone, then its keys and values appended to
     * {@code cache} as a new last row whose tokens end at {@code slot} (the slots left of its prompt masked).
     *
     * @return its row, first token chosen
     */
    Row join(Request r, KvCache cache, int slot, int capacity) {
        int length = r.prompt().length;
        Row row = new Row(r, tokenizer, capacity, 0, slot - length, System.nanoTime());
        int reused = prefixes.reusable(r.prompt(), length - 1, r.config().cacheScope());
        engine.usePromptThreads();
        KvCache alone = engine.open(() -> engine.model().newCache(1, length));
        try {
            engine.step(() -> {
                NextTokens.choose(forwardAlone(r.prompt(), reused, alone), List.of(row));
                cache.appendRow(alone, length, slot - length);
                return null;
            });
        } finally {
            engine.freeing(alone::close);
        }
        row.sequence.cachedPromptTokens(reused);
        return row;
    }

    /**
     * Runs {@code tokens} as one sequence into {@code cache} (batch 1), the first {@code reused} of them copied
     * from the prefix cache instead of computed; returns the last position's logits [1, vocab].
     */
    private NDArray forwardAlone(int[] tokens, int reused, KvCache cache) {
        if (reused > 0) {
            cache.copyPrefix(prefixes.kv(), reused);
        }
        return engine.model().forward(Arrays.copyOfRange(tokens, reused, tokens.length), reused, cache, false);
    }
}
