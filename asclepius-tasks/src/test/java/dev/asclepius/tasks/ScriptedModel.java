package dev.asclepius.tasks;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.ModelShape;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A fake model for client tests: answers each prompt with a scripted text, records the prompts and
 * configs it received, streams the answer word by word, and fails like the real one once closed.
 * An answer ending in {@link #CUT} is reported as cut by the token limit (the marker is removed).
 */
final class ScriptedModel implements LanguageModel {
    static final String CUT = "<<MAX_TOKENS>>";

    private final Function<String, String> answers;
    final Queue<String> prompts = new ConcurrentLinkedQueue<>();
    final Queue<GenerationConfig> configs = new ConcurrentLinkedQueue<>();
    final AtomicInteger closeCalls = new AtomicInteger();
    private volatile boolean closed;

    /** {@code answers} maps the instruction (the text between the prompt's instruction markers) to the answer. */
    ScriptedModel(Function<String, String> answers) {
        this.answers = answers;
    }

    static String instructionOf(String prompt) {
        int begin = prompt.indexOf("[Instruction Begin]\n") + "[Instruction Begin]\n".length();
        return prompt.substring(begin, prompt.lastIndexOf("\n[Instruction End]"));
    }

    @Override
    public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        if (closed) {
            throw new ModelClosedException("model closed");
        }
        prompts.add(prompt);
        configs.add(config);
        String answer = answers.apply(instructionOf(prompt));
        FinishReason reason = FinishReason.EOS;
        if (answer.endsWith(CUT)) {
            answer = answer.substring(0, answer.length() - CUT.length());
            reason = FinishReason.MAX_TOKENS;
        }
        List<String> deltas = new ArrayList<>();
        for (String piece : answer.split("(?<= )")) {
            deltas.add(piece);
        }
        for (int i = 0; i < deltas.size(); i++) {
            listener.onToken(deltas.get(i), i);
        }
        return new GenerationResult(answer, IntStream.range(0, deltas.size()).boxed().toList(), reason,
                prompt.split("\\s+").length, Duration.ofMillis(2), Duration.ofMillis(3), Math.max(0, deltas.size() - 1));
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        throw new UnsupportedOperationException("the client sends text prompts");
    }

    @Override
    public java.util.Optional<TextTokenizer> tokenizer() {
        return java.util.Optional.empty();   // the server-like model tokenizes text itself
    }

    @Override
    public ModelInfo info() {
        return ModelInfo.local(Path.of("scripted"), "llama", new ModelShape(1, 8, 1, 1, 16, 1), 32, 2048, Device.cpu(),
                ComputeType.F32);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        closed = true;
    }
}
