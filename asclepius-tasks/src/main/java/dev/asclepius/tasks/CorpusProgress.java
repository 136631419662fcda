package dev.asclepius.tasks;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a {@link CorpusRun} stands: given to the {@link CorpusListener} after each note and returned
 * at the end as the run's summary. Counts cover the notes handed to the sink so far.
 *
 * @param done            notes finished (ok + errors)
 * @param total           notes in the run when known up front
 * @param ok              notes analysed
 * @param errors          notes that produced an error record
 * @param generatedTokens tokens generated over all notes
 * @param promptTokens    prompt tokens over all notes (each question counted with its full prompt)
 * @param elapsed         wall time since the run started
 */
public record CorpusProgress(long done, OptionalLong total, long ok, long errors, long generatedTokens,
                             long promptTokens, Duration elapsed) {

    /** Notes per second of wall time so far (0 before any time has passed). */
    public double notesPerSecond() {
        double s = seconds();
        return s > 0 ? done / s : 0;
    }

    /** Generated tokens per second of wall time so far, all notes together. */
    public double tokensPerSecond() {
        double s = seconds();
        return s > 0 ? generatedTokens / s : 0;
    }

    /** Estimated time left at the rate so far; empty when the total is unknown or nothing is done yet. */
    public Optional<Duration> eta() {
        if (total.isEmpty() || done == 0) {
            return Optional.empty();
        }
        long left = Math.max(0, total.getAsLong() - done);
        return Optional.of(Duration.ofNanos((long) ((double) elapsed.toNanos() / done * left)));
    }

    /** Fraction done in [0, 1]; empty when the total is unknown. */
    public Optional<Double> fraction() {
        if (total.isEmpty()) {
            return Optional.empty();
        }
        long t = total.getAsLong();
        return Optional.of(t == 0 ? 1.0 : Math.min(1.0, (double) done / t));
    }

    private double seconds() {
        return elapsed.toNanos() / 1e9;
    }
}
