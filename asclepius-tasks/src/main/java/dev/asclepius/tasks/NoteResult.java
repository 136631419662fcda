package dev.asclepius.tasks;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link CorpusRun} made of one note: its {@link Analysis}, or the error that stopped it.
 * Results reach the sink in input order; {@code index} is the note's 0-based position in the input.
 */
public sealed interface NoteResult permits NoteResult.Success, NoteResult.Failure {

    String id();

    long index();

    /** Time this note took, from the start of its analysis to its result (not counting the wait in line). */
    Duration elapsed();

    /** Tokens the model generated for this note (0 for a failure). */
    int generatedTokens();

    /** Prompt tokens sent for this note, summed over its questions (0 for a failure). */
    int promptTokens();

    /** The note was analysed: every requested task's typed result. */
    record Success(String id, long index, Analysis analysis, Duration elapsed) implements NoteResult {
        public Success {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(analysis, "analysis");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        @Override
        public int generatedTokens() {
            return analysis.generatedTokens();
        }

        @Override
        public int promptTokens() {
            return analysis.all().stream().mapToInt(TaskResult::promptTokens).sum();
        }
    }

    /**
     * The note failed: an empty text ({@link dev.asclepius.core.InvalidInputException}), a note too long
     * for the context ({@link dev.asclepius.core.ContextLengthExceededException}), a model error, ...
     *
     * @param error the exception the analysis threw
     */
    record Failure(String id, long index, RuntimeException error, Duration elapsed) implements NoteResult {
        public Failure {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /** The exception's simple class name, e.g. {@code ContextLengthExceededException}. */
        public String errorType() {
            return error.getClass().getSimpleName();
        }

        /** The exception's message (its class name when it has none). */
        public String message() {
            return error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        }

        @Override
        public int generatedTokens() {
            return 0;
        }

        @Override
        public int promptTokens() {
            return 0;
        }
    }
}
