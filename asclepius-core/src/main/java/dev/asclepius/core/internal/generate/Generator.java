package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.ContextLengthExceededException;
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
import java.util.function.BooleanSupplier;

/**
 * The generation loop for one prompt: one batched prefill over the whole prompt, then one forward per
 * new token against the preallocated KV cache. Each step runs in its own {@link NDScope}, so the native
 * memory in use is the weights plus the cache whatever the number of steps; only the chosen token id
 * (or, when sampling, one row of logits) crosses to the host.
 */
public final class Generator {
    private final LlamaModel model;
    private final TextTokenizer tokenizer;

    public Generator(LlamaModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Checks ids and context before any compute. */
    public void validate(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new InvalidInputException("The prompt is empty: pass at least one token id (normally BOS plus text).");
        }
        int vocab = model.config().vocabSize();
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new InvalidInputException("Prompt token " + i + " is id " + promptIds[i]
                        + ", outside the vocabulary [0, " + vocab + ").");
            }
        }
        int context = model.config().contextLength();
        if (promptIds.length >= context) {
            throw new ContextLengthExceededException(promptIds.length, context);
        }
    }

    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener,
                                     BooleanSupplier closing) {
        validate(promptIds);
        PyTorchRuntime.noGrad();
        int context = model.config().contextLength();
        int capacity = Math.min(context, promptIds.length + config.maxNewTokens());
        Sequence sequence = new Sequence(promptIds, config, tokenizer, listener, capacity);
        long started = System.nanoTime();
        long prefillEnd;
        NDManager manager = model.manager();
        try (KvCache cache = model.newCache(1, capacity)) {
            int next;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray ids = manager.create(promptIds, new Shape(1, promptIds.length));
                next = choose(model.forward(ids, 0, cache, false), sequence);
            }
            prefillEnd = System.nanoTime();
            int position = promptIds.length;
            while (!sequence.accept(next, context)) {
                if (closing.getAsBoolean()) {
                    throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray ids = manager.create(new int[] {next}, new Shape(1, 1));
                    next = choose(model.forward(ids, position, cache, false), sequence);
                }
                position++;
                sequence.countDecodeStep();
            }
        }
        long end = System.nanoTime();
        return sequence.result(Duration.ofNanos(prefillEnd - started), Duration.ofNanos(end - prefillEnd));
    }

    /** The next token of a single sequence from its [1, vocab] logits. */
    private static int choose(NDArray logits, Sequence sequence) {
        Sampler sampler = sequence.sampler();
        if (!sampler.needsLogits()) {
            return (int) logits.argMax(-1).toLongArray()[0];
        }
        float[] row = logits.toType(DataType.FLOAT32, false).toFloatArray();
        return sampler.next(row, sequence.seen(), sequence.seenCount());
    }
}
