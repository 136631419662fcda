package dev.asclepius.cli;

import dev.asclepius.tasks.CorpusProgress;
import dev.asclepius.tasks.NoteResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** A bar rewritten with \r on a terminal; otherwise a line every N notes or 10 s. */
final class BatchProgress implements dev.asclepius.tasks.CorpusListener {
    private static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;
    private final PrintWriter err;
    private final boolean terminal;
    private final int every;
    private long lastLine = System.nanoTime();
    private long lastBar;
    private boolean barShown;
    private long printedDone = -1;

    BatchProgress(PrintWriter err, boolean terminal, int every) {
        this.err = err;
        this.terminal = terminal;
        this.every = every;
    }

    @Override
    public void noteDone(NoteResult result, CorpusProgress p) {
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastBar >= 100_000_000L || p.fraction().orElse(0.0) >= 1.0) {   // at most 10 redraws/s
                lastBar = now;
                barShown = true;
                err.print("\r" + bar(p) + "\u001b[K");
                err.flush();
            }
        } else if (p.done() % every == 0 || now - lastLine >= PLAIN_INTERVAL_NANOS) {
            lastLine = now;
            printedDone = p.done();
            err.println(text(p));
            err.flush();
        }
    }

    void finish(CorpusProgress p) {
        if (terminal && barShown) {
            err.print("\r" + bar(p) + "\u001b[K\n");
            err.flush();
        } else if (!terminal && p.done() > 0 && printedDone != p.done()) {
            err.println(text(p));   // the last count, when the periodic lines stopped short of it
            err.flush();
        }
    }

    static String bar(CorpusProgress p) {
        int width = 24;
        int filled = (int) Math.round(p.fraction().orElse(0.0) * width);
        return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + text(p);
    }

    static String text(CorpusProgress p) {
        String total = p.total().isPresent() ? "/" + p.total().getAsLong() : "";
        String eta = p.eta().map(d -> ", ETA " + clock(d)).orElse("");
        return String.format(Locale.ROOT, "%d%s notes (%d errors), %.2f notes/s, %.1f tokens/s%s",
                p.done(), total, p.errors(), p.notesPerSecond(), p.tokensPerSecond(), eta);
    }

    static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
