package dev.asclepius.core.internal.generate;

import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.tokenizer.StreamingDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence being generated: its sampler, streamed text, output ids and stop state. Shared by the
 * single-sequence and the batched loops so both stop, stream and account exactly alike.
 */
final class Sequence {
    private final int[] prompt;
    private final GenerationConfig config;
    private final TextTokenizer tokenizer;
    private final TokenListener listener;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final int[] seen;
    private int seenCount;
    private final List<Integer> output = new ArrayList<>();
    private FinishReason reason;
    private int decodeSteps;
    private int cachedPromptTokens;

    Sequence(int[] prompt, GenerationConfig config, TextTokenizer tokenizer, TokenListener listener, int capacity) {
        this.prompt = prompt;
        this.config = config;
        this.tokenizer = tokenizer;
        this.listener = listener;
        this.sampler = new Sampler(config);
        this.decoder = new StreamingDecoder(tokenizer, config.stopStrings());
        this.seen = Arrays.copyOf(prompt, capacity + 1);
        this.seenCount = prompt.length;
    }

    Sampler sampler() {
        return sampler;
    }

    int[] seen() {
        return seen;
    }

    int seenCount() {
        return seenCount;
    }

    /** Prompt tokens whose keys and values were copied from the prefix cache instead of computed. */
    void cachedPromptTokens(int tokens) {
        this.cachedPromptTokens = tokens;
    }

    void countDecodeStep() {
        decodeSteps++;
    }

    /**
     * Takes the next token, streams its text and decides whether the sequence ends here.
     *
     * @return true when finished
     */
    boolean accept(int token, int context) {
        output.add(token);
        seen[seenCount++] = token;
        reason = finish(token, context);
        return reason != null;
    }

    private FinishReason finish(int token, int context) {
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
        if (output.size() >= config.maxNewTokens()) {
            return FinishReason.MAX_TOKENS;
        }
        if (prompt.length + output.size() >= context) {
            return FinishReason.CONTEXT_FULL;
        }
        return null;
    }

    /** Ends the sequence because its batch ran out of cache slots. */
    void stopForContext() {
        reason = FinishReason.CONTEXT_FULL;
    }

    /** The result, after delivering any text held back for a possible stop string. */
    GenerationResult result(Duration prefill, Duration decode) {
        String tail = decoder.flush();
        if (!tail.isEmpty()) {
            listener.onToken(tail, output.get(output.size() - 1));
        }
        return new GenerationResult(decoder.text(), output, reason, prompt.length, prefill, decode, decodeSteps,
                cachedPromptTokens);
    }
}
