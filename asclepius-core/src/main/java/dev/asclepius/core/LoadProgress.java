package dev.asclepius.core;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How far loading a model's weights has come.
 *
 * @param bytesLoaded  bytes of checkpoint data read and converted so far
 * @param totalBytes   bytes of checkpoint data the model reads in all (the weights it uses, each counted once)
 * @param tensorsLoaded tensors read so far
 * @param totalTensors tensors the model reads in all
 * @param elapsed      time since loading the weights began
 */
public record LoadProgress(long bytesLoaded, long totalBytes, int tensorsLoaded, int totalTensors, Duration elapsed) {
    public LoadProgress {
        if (bytesLoaded < 0 || totalBytes < 0 || bytesLoaded > totalBytes || tensorsLoaded < 0 || totalTensors < 0
                || tensorsLoaded > totalTensors || elapsed == null || elapsed.isNegative()) {
            throw new IllegalArgumentException("Inconsistent load progress: " + bytesLoaded + "/" + totalBytes + " bytes, "
                    + tensorsLoaded + "/" + totalTensors + " tensors, " + elapsed);
        }
    }

    /** Share of the bytes loaded, 0 to 1 (1 when there is nothing to load). */
    public double fraction() {
        return totalBytes == 0 ? 1.0 : (double) bytesLoaded / totalBytes;
    }

    /** Whether every tensor is loaded. */
    public boolean done() {
        return tensorsLoaded == totalTensors && bytesLoaded == totalBytes;
    }

    /**
     * Time left if the rest loads at the rate seen so far; empty before any byte has loaded (no rate yet),
     * zero when done.
     */
    public Optional<Duration> eta() {
        if (done()) {
            return Optional.of(Duration.ZERO);
        }
        if (bytesLoaded == 0) {
            return Optional.empty();
        }
        double nanosPerByte = (double) elapsed.toNanos() / bytesLoaded;
        return Optional.of(Duration.ofNanos((long) (nanosPerByte * (totalBytes - bytesLoaded))));
    }

    /** One line for people, e.g. {@code "loading weights: 3.2 GB of 13.5 GB (24%), 75 of 291 tensors, 12 s, about 38 s left"}. */
    public String describe() {
        String left = done() ? "done" : eta().map(d -> "about " + seconds(d) + " left").orElse("estimating time left");
        return String.format(Locale.ROOT, "loading weights: %s of %s (%d%%), %d of %d tensors, %s, %s", size(bytesLoaded),
                size(totalBytes), (int) Math.floor(fraction() * 100), tensorsLoaded, totalTensors, seconds(elapsed), left);
    }

    private static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return s < 10 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%.0f s", s);
    }

    static String size(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }
}
