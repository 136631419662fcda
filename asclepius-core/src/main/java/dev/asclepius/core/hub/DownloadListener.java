package dev.asclepius.core.hub;

import dev.asclepius.core.internal.hub.ProgressBar;
import java.io.PrintStream;

/**
 * Hears about file downloads from the hub. Called on the downloading thread; keep it cheap.
 * {@link #progressBar(PrintStream)} draws a one-line bar (bytes, %, MB/s) per file.
 */
public interface DownloadListener {
    /** Hears nothing. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * A download of {@code file} ({@code totalBytes} long, -1 if unknown) starts; {@code resumedFrom} bytes
     * were already on disk from an interrupted attempt (0 for a fresh start).
     */
    default void started(String file, long totalBytes, long resumedFrom) {
    }

    /** {@code doneBytes} of {@code totalBytes} of {@code file} are on disk (including resumed bytes). */
    default void progress(String file, long doneBytes, long totalBytes) {
    }

    /** {@code file} was downloaded, verified and placed in the cache. */
    default void finished(String file, long totalBytes) {
    }

    /** A progress bar on {@code out} (usually {@code System.err}), redrawn at most every 200 ms per file. */
    static DownloadListener progressBar(PrintStream out) {
        return new ProgressBar(out);
    }
}
