package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CorpusRun} on the tiny random-weight model and on a scripted one (for model errors and worker pools). */
class CorpusRunTest {
    @TempDir
    static Path dir;

    static AsclepiusClient client;

    @BeforeAll
    static void loadTinyModel() {
        RandomModelWriter.write(dir, RandomModelSpec.tiny());
        client = AsclepiusClient.builder().model(dir)
                .generation(GenerationConfig.builder().maxNewTokens(8).build()).build();
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static String note(int i) {
        return "Patient " + i + " was admitted with pneumonia and treated with ceftriaxone. HTN. DM2.";
    }

    static String tooLong() {
        return "The patient was admitted with chest pain. ".repeat(400);   // > 2,048 tokens, the tiny model's context
    }

    @Test
    void resultsInInputOrderWithErrorRecordsForBadNotesAndTheRunGoesOn() {
        List<NoteInput> notes = List.of(NoteInput.of("a", note(1)), NoteInput.of("empty", "  "),
                NoteInput.of("b", note(2)), NoteInput.of("long", tooLong()), NoteInput.of("c", note(3)),
                NoteInput.of("null", null));
        List<NoteResult> results = new ArrayList<>();
        List<CorpusProgress> seen = new ArrayList<>();
        CorpusRun run = CorpusRun.builder(client).tasks(EnumSet.of(Task.TIMELINE, Task.SUMMARY))
                .listener((r, p) -> seen.add(p)).build();

        CorpusProgress summary = run.run(notes, results::add);

        assertThat(results).extracting(NoteResult::id).containsExactly("a", "empty", "b", "long", "c", "null");
        assertThat(results).extracting(NoteResult::index).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(results.get(0)).isInstanceOf(NoteResult.Success.class);
        NoteResult.Success a = (NoteResult.Success) results.get(0);
        assertThat(a.analysis().timeline()).isPresent();
        assertThat(a.analysis().summary()).isPresent();
        assertThat(a.analysis().entities()).isEmpty();
        assertThat(a.generatedTokens()).isPositive().isLessThanOrEqualTo(16);
        NoteResult.Failure empty = (NoteResult.Failure) results.get(1);
        assertThat(empty.error()).isInstanceOf(InvalidInputException.class);
        assertThat(empty.errorType()).isEqualTo("InvalidInputException");
        assertThat(empty.message()).contains("empty");
        NoteResult.Failure longNote = (NoteResult.Failure) results.get(3);
        assertThat(longNote.error()).isInstanceOf(ContextLengthExceededException.class);
        assertThat(longNote.errorType()).isEqualTo("ContextLengthExceededException");
        assertThat(results.get(5)).isInstanceOf(NoteResult.Failure.class);
        assertThat(results.get(2)).isInstanceOf(NoteResult.Success.class);
        assertThat(results.get(4)).isInstanceOf(NoteResult.Success.class);

        assertThat(summary.done()).isEqualTo(6);
        assertThat(summary.ok()).isEqualTo(3);
        assertThat(summary.errors()).isEqualTo(3);
        assertThat(summary.total()).hasValue(6);
        long tokens = results.stream().mapToLong(NoteResult::generatedTokens).sum();
        assertThat(summary.generatedTokens()).isEqualTo(tokens).isPositive();
        assertThat(summary.notesPerSecond()).isPositive();
        assertThat(summary.tokensPerSecond()).isPositive();
        assertThat(summary.eta()).hasValue(java.time.Duration.ZERO);
        assertThat(seen).extracting(CorpusProgress::done).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(seen).extracting(CorpusProgress::errors).containsExactly(0L, 1L, 1L, 2L, 2L, 3L);
        assertThat(seen.get(2).eta()).isPresent();
    }

    @Test
    void aStreamHasNoTotalAndQuestionsAreAnswered() {
        List<NoteResult> results = new ArrayList<>();
        CorpusProgress summary = CorpusRun.builder(client).tasks(EnumSet.of(Task.QUESTION_ANSWERING))
                .questions(List.of("What follow-up is planned?")).build()
                .run(Stream.of(NoteInput.of("x", note(1)), NoteInput.of("y", note(2))), results::add);
        assertThat(summary.total()).isEmpty();
        assertThat(summary.eta()).isEmpty();
        assertThat(summary.ok()).isEqualTo(2);
        assertThat(((NoteResult.Success) results.get(1)).analysis().answers()).hasSize(1);
    }

    @Test
    void workersKeepInputOrderAndBoundedInFlight() {
        // A scripted model whose answers take longer for early notes: later notes finish first on the pool.
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        ScriptedModel scripted = new ScriptedModel(instruction -> "- pneumonia");
        LanguageModel model = new Failing(scripted, prompt -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                int i = Integer.parseInt(prompt.replaceAll("(?s).*Patient (\\d+) .*", "$1"));
                Thread.sleep((40 - i) % 7 * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (prompt.contains("Patient 13 ")) {
                throw new EngineException("native crash on note 13");
            }
        });
        try (AsclepiusClient c = AsclepiusClient.builder().model(model).build()) {
            List<String> ids = new ArrayList<>();
            List<NoteResult> results = new ArrayList<>();
            CorpusProgress summary = CorpusRun.builder(c).tasks(EnumSet.of(Task.SUMMARY)).workers(3).build()
                    .run(IntStream.range(0, 40).mapToObj(i -> NoteInput.of("n" + i, note(i))).iterator(),
                            OptionalLong.of(40), r -> {
                                ids.add(r.id());
                                results.add(r);
                            });
            assertThat(ids).containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> "n" + i).toList());
            assertThat(summary.errors()).isEqualTo(1);
            NoteResult.Failure f = (NoteResult.Failure) results.get(13);
            assertThat(f.errorType()).isEqualTo("EngineException");
            assertThat(f.message()).isEqualTo("native crash on note 13");
            assertThat(maxInFlight.get()).isBetween(1, 3);
        }
    }

    @Test
    void aClosedClientStopsTheRun() {
        AsclepiusClient c = AsclepiusClient.builder().model(new ScriptedModel(i -> "x")).build();
        c.close();
        CorpusRun run = CorpusRun.builder(c).tasks(EnumSet.of(Task.SUMMARY)).build();
        assertThatThrownBy(() -> run.run(List.of(NoteInput.of("a", note(1))), r -> { }))
                .isInstanceOf(ModelClosedException.class);
    }

    @Test
    void buildRejectsNothingToAskAndQaWithoutQuestion() {
        assertThatThrownBy(() -> CorpusRun.builder(client).build()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> CorpusRun.builder(client).tasks(EnumSet.of(Task.QUESTION_ANSWERING)).build())
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> CorpusRun.builder(client).workers(0)).isInstanceOf(InvalidInputException.class);
    }

    /** Delegates to a model after running a hook on each text prompt (which may throw, like a failing engine). */
    private record Failing(LanguageModel delegate, java.util.function.Consumer<String> hook) implements LanguageModel {
        @Override
        public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
            return delegate.generate(promptIds, config, listener);
        }

        @Override
        public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
            hook.accept(prompt);
            return delegate.generate(prompt, config, listener);
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
}
