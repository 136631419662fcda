package dev.asclepius.langchain4j;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import java.util.ArrayList;
import java.util.List;

/**
 * A real model behind a recorder: every prompt, configuration and result that passes through, so tests
 * can compare what langchain4j returned with what the engine actually did.
 */
final class RecordingModel implements LanguageModel {
    record Call(String prompt, GenerationConfig config, GenerationResult result) {
    }

    private final LanguageModel delegate;
    final List<Call> calls = new ArrayList<>();
    /** Tokens the engine handed to a listener, over all calls, finished or not. */
    final java.util.concurrent.atomic.AtomicInteger tokens = new java.util.concurrent.atomic.AtomicInteger();

    RecordingModel(LanguageModel delegate) {
        this.delegate = delegate;
    }

    Call last() {
        return calls.get(calls.size() - 1);
    }

    @Override
    public synchronized GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        GenerationResult result = delegate.generate(prompt, config, (delta, id) -> {
            tokens.incrementAndGet();
            listener.onToken(delta, id);
        });
        calls.add(new Call(prompt, config, result));
        return result;
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        throw new AssertionError("the adapters send text prompts");
    }

    @Override
    public java.util.Optional<TextTokenizer> tokenizer() {
        return delegate.tokenizer();
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
