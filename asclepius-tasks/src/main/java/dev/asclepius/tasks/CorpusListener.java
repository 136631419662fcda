package dev.asclepius.tasks;

/**
 * Told about a {@link CorpusRun}'s progress, on the thread that called {@code run}, right after each
 * note's result was handed to the sink (so in input order). Keep it quick: the run waits for it.
 */
@FunctionalInterface
public interface CorpusListener {
    CorpusListener NONE = (result, progress) -> { };

    /**
     * @param result   the note just finished
     * @param progress counts and rates including that note
     */
    void noteDone(NoteResult result, CorpusProgress progress);
}
