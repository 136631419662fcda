package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import dev.asclepius.core.internal.tokenizer.StreamingDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        Sampler sampler = new Sampler(config);
        StreamingDecoder decoder = new StreamingDecoder(tokenizer, config.stopStrings());
        int[] seen = Arrays.copyOf(promptIds, capacity + 1);
        int seenCount = promptIds.length;
        List<Integer> output = new ArrayList<>();
        FinishReason reason;
        long started = System.nanoTime();
        long prefillEnd;
        int decodeSteps = 0;
        NDManager manager = model.manager();
        try (KvCache cache = model.newCache(1, capacity)) {
            int next;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray ids = manager.create(promptIds, new Shape(1, promptIds.length));
                next = choose(model.forward(ids, 0, cache, false), sampler, seen, seenCount);
            }
            prefillEnd = System.nanoTime();
            int position = promptIds.length;
            while (true) {
                output.add(next);
                seen[seenCount++] = next;
                reason = finish(next, config, decoder, listener, output.size(), position + 1, context);
                if (reason != null) {
                    break;
                }
                if (closing.getAsBoolean()) {
                    throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray ids = manager.create(new int[] {next}, new Shape(1, 1));
                    next = choose(model.forward(ids, position, cache, false), sampler, seen, seenCount);
                }
                position++;
                decodeSteps++;
            }
        }
        long end = System.nanoTime();
        String tail = decoder.flush();
        if (!tail.isEmpty()) {
            listener.onToken(tail, output.get(output.size() - 1));
        }
        return new GenerationResult(decoder.text(), output, reason, promptIds.length,
                Duration.ofNanos(prefillEnd - started), Duration.ofNanos(end - prefillEnd), decodeSteps);
    }

    /** The finish reason after emitting {@code token}, or null to go on. */
    private FinishReason finish(int token, GenerationConfig config, StreamingDecoder decoder, TokenListener listener,
                                int generated, int totalTokens, int context) {
        if (token == tokenizer.eosId() && !config.ignoreEos()) {
            return FinishReason.EOS;
        }
        if (config.stopTokenIds().contains(token)) {
            return FinishReason.STOP_TOKEN;
        }
        listener.onToken(decoder.push(token), token);
        if (decoder.stopped()) {
            return FinishReason.STOP_STRING;
        }
        if (generated >= config.maxNewTokens()) {
            return FinishReason.MAX_TOKENS;
        }
        if (totalTokens >= context) {
            return FinishReason.CONTEXT_FULL;
        }
        return null;
    }

    private static int choose(NDArray logits, Sampler sampler, int[] seen, int seenCount) {
        if (!sampler.needsLogits()) {
            return (int) logits.argMax(-1).toLongArray()[0];
        }
        float[] row = logits.toType(DataType.FLOAT32, false).toFloatArray();
        return sampler.next(row, seen, seenCount);
    }
}
