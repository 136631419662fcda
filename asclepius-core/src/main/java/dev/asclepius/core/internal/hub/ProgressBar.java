package dev.asclepius.core.internal.hub;

import dev.asclepius.core.hub.DownloadListener;
import java.io.PrintStream;
import java.util.Locale;

/** One line per file, redrawn in place with {@code \r}: name, bar, percent, MB done/total, MB/s. */
public final class ProgressBar implements DownloadListener {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 24;

    private final PrintStream out;
    private long startNanos;
    private long startBytes;
    private long lastDraw;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(String file, long totalBytes, long resumedFrom) {
        startNanos = System.nanoTime();
        startBytes = resumedFrom;
        lastDraw = 0;
        out.print("\r" + line(file, resumedFrom, totalBytes, 0));
        out.flush();
    }

    @Override
    public synchronized void progress(String file, long doneBytes, long totalBytes) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(file, doneBytes, totalBytes, rate(doneBytes, now)));
        out.flush();
    }

    @Override
    public synchronized void finished(String file, long totalBytes) {
        out.println("\r" + line(file, totalBytes, totalBytes, rate(totalBytes, System.nanoTime())));
        out.flush();
    }

    private double rate(long doneBytes, long now) {
        double seconds = (now - startNanos) / 1e9;
        return seconds <= 0 ? 0 : (doneBytes - startBytes) / seconds;
    }

    /** The text of one redraw; {@code bytesPerSecond} 0 when not yet known. */
    public static String line(String file, long done, long total, double bytesPerSecond) {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            sb.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% %.1f/%.1f MB", done * 100 / total, done / 1e6, total / 1e6));
        } else {
            sb.append(String.format(Locale.ROOT, "%.1f MB", done / 1e6));
        }
        sb.append(String.format(Locale.ROOT, " %.1f MB/s", bytesPerSecond / 1e6));
        return sb.toString();
    }
}
