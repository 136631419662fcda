package dev.asclepius.core.internal.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether a decode/floor measurement can be believed, and the loop that measures again until it can.
 *
 * <p>The bandwidth floor is a lower bound: a decode step streams the same weights through the same matmuls and
 * does more besides, so decode/floor below 1 means the floor was measured while the machine was slower than
 * during decode (a neighbour took the memory bandwidth), not that decode beat physics. A wide spread between
 * the floors of one round means the same. Either way the ratio is noise, so the bench measures again, and after
 * the last attempt says "unstable" instead of printing a number that looks like a result.
 *
 * <p>Pure logic on numbers (no clocks here), so it is unit-tested by feeding it measurements.
 */
public final class FloorCheck {
    /** Largest accepted (max - min) / median of one round's floors. Quiet runs on the project VM stay under 5%. */
    public static final double DEFAULT_MAX_SPREAD = 0.10;
    /** Measurement rounds before giving up. */
    public static final int DEFAULT_ATTEMPTS = 3;

    private FloorCheck() {
    }

    /**
     * What one round's floors say.
     *
     * @param stable whether the ratio can be reported
     * @param ratio  the median of the paired decode/floor ratios
     * @param spread (max - min) / median of the floors
     * @param reason why not, in words; empty when stable
     */
    public record Verdict(boolean stable, double ratio, double spread, double minFloorSeconds,
                          double maxFloorSeconds, String reason) {
        public Verdict {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** One measurement round: its result, the floors measured in it (seconds) and its paired ratios. */
    public record Round<T>(T value, double[] floorSeconds, double[] ratios) {
        public Round {
            Objects.requireNonNull(value, "value");
            if (floorSeconds.length == 0 || ratios.length == 0) {
                throw new IllegalArgumentException("a round needs at least one floor and one ratio");
            }
            floorSeconds = floorSeconds.clone();
            ratios = ratios.clone();
        }
    }

    /** The round that is reported, its verdict and how many rounds were measured. */
    public record Outcome<T>(T value, Verdict verdict, int attempts) {
    }

    /** Judges one round: unstable when decode/floor is below 1 or the floors spread more than {@code maxSpread}. */
    public static Verdict assess(double[] floorSeconds, double[] ratios, double maxSpread) {
        double ratio = MatmulFloor.median(ratios);
        double min = Arrays.stream(floorSeconds).min().orElseThrow();
        double max = Arrays.stream(floorSeconds).max().orElseThrow();
        double spread = (max - min) / MatmulFloor.median(floorSeconds);
        if (!(ratio >= 1)) {
            return new Verdict(false, ratio, spread, min, max, String.format(Locale.ROOT,
                    "decode/floor came out %.3f, below 1: a decode step cannot be faster than streaming its weights "
                            + "once, so the floor was measured while the machine was busier (floors %.2f-%.2f ms)",
                    ratio, min * 1e3, max * 1e3));
        }
        if (spread > maxSpread) {
            return new Verdict(false, ratio, spread, min, max, String.format(Locale.ROOT,
                    "the floors measured between the timed runs differ by %.0f%% (%.2f-%.2f ms), more than %.0f%%: "
                            + "the machine's memory bandwidth changed during the run",
                    100 * spread, min * 1e3, max * 1e3, 100 * maxSpread));
        }
        return new Verdict(true, ratio, spread, min, max, "");
    }

    /**
     * Measures rounds until one is stable, at most {@code attempts}. Returns the first stable round, or else
     * the round whose floors spread least among those with decode/floor of at least 1 (if any), flagged
     * unstable.
     */
    public static <T> Outcome<T> untilStable(Supplier<Round<T>> measure, int attempts, double maxSpread) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        Round<T> best = null;
        Verdict bestVerdict = null;
        for (int i = 1; i <= attempts; i++) {
            Round<T> round = measure.get();
            Verdict verdict = assess(round.floorSeconds(), round.ratios(), maxSpread);
            if (verdict.stable()) {
                return new Outcome<>(round.value(), verdict, i);
            }
            if (best == null || better(verdict, bestVerdict)) {
                best = round;
                bestVerdict = verdict;
            }
        }
        return new Outcome<>(best.value(), bestVerdict, attempts);
    }

    private static boolean better(Verdict candidate, Verdict incumbent) {
        boolean candidatePlausible = candidate.ratio() >= 1;
        boolean incumbentPlausible = incumbent.ratio() >= 1;
        if (candidatePlausible != incumbentPlausible) {
            return candidatePlausible;
        }
        return candidate.spread() < incumbent.spread();
    }
}
