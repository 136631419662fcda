package dev.asclepius.core.internal.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The bench's stability decision, fed measured-looking numbers (no clocks). */
class FloorCheckTest {
    private static final double MS = 1e-3;

    private static double[] ms(double... values) {
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= MS;
        }
        return out;
    }

    @Test
    void aQuietRoundIsStableAndKeepsItsMedianRatio() {
        FloorCheck.Verdict v = FloorCheck.assess(ms(9.8, 9.9, 10.0, 9.9), new double[] {1.21, 1.17, 1.19}, 0.10);
        assertThat(v.stable()).isTrue();
        assertThat(v.ratio()).isEqualTo(1.19);
        // (10.0 - 9.8) / median 9.9
        assertThat(v.spread()).isCloseTo(0.2 / 9.9, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(v.minFloorSeconds()).isEqualTo(9.8 * MS);
        assertThat(v.maxFloorSeconds()).isEqualTo(10.0 * MS);
        assertThat(v.reason()).isEmpty();
    }

    @Test
    void aRatioBelowOneIsUnstableWhateverTheSpread() {
        // The run: decode/floor 0.870 with floors that look tight.
        FloorCheck.Verdict v = FloorCheck.assess(ms(11.5, 11.6, 11.5), new double[] {0.86, 0.87, 0.88}, 0.10);
        assertThat(v.stable()).isFalse();
        assertThat(v.ratio()).isEqualTo(0.87);
        assertThat(v.reason()).contains("0.870, below 1").contains("11.50-11.60 ms");
    }

    @Test
    void aWideSpreadIsUnstableEvenWithAPlausibleRatio() {
        // The first 7B run of the docs: floors 100-115 ms in one run.
        FloorCheck.Verdict v = FloorCheck.assess(ms(100, 115, 101, 102), new double[] {1.02, 1.05, 1.01}, 0.10);
        assertThat(v.stable()).isFalse();
        assertThat(v.spread()).isCloseTo(15.0 / 101.5, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(v.reason()).contains("differ by 15%").contains("100.00-115.00 ms").contains("more than 10%");
    }

    @Test
    void theSpreadLimitIsInclusive() {
        // Exact in binary: (1.25 - 0.75) / 1.0 = 0.5.
        assertThat(FloorCheck.assess(new double[] {0.75, 1.0, 1.25}, new double[] {1.2}, 0.5).stable()).isTrue();
        assertThat(FloorCheck.assess(new double[] {0.75, 1.0, 1.25}, new double[] {1.2}, 0.49).stable()).isFalse();
    }

    @Test
    void exactlyOneIsAcceptedAndNaNIsNot() {
        assertThat(FloorCheck.assess(new double[] {1.0}, new double[] {1.0}, 0.1).stable()).isTrue();
        assertThat(FloorCheck.assess(new double[] {1.0}, new double[] {Double.NaN}, 0.1).stable()).isFalse();
    }

    /** Rounds handed out in order; counts how many were asked for. */
    private static final class Script {
        final Deque<FloorCheck.Round<String>> rounds = new ArrayDeque<>();
        int asked;

        Script add(String name, double[] floors, double... ratios) {
            rounds.add(new FloorCheck.Round<>(name, floors, ratios));
            return this;
        }

        FloorCheck.Round<String> next() {
            asked++;
            return rounds.removeFirst();
        }
    }

    @Test
    void aStableFirstRoundIsMeasuredOnce() {
        Script s = new Script().add("first", ms(9.9, 10.0), 1.18).add("second", ms(9.9, 10.0), 1.30);
        FloorCheck.Outcome<String> o = FloorCheck.untilStable(s::next, 3, 0.10);
        assertThat(o.value()).isEqualTo("first");
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(o.verdict().stable()).isTrue();
        assertThat(s.asked).isEqualTo(1);
    }

    @Test
    void anUnstableRoundIsMeasuredAgainUntilOneIsStable() {
        Script s = new Script()
                .add("below one", ms(11.5, 11.6), 0.87)
                .add("wide", ms(9.0, 12.0), 1.2)
                .add("quiet", ms(9.9, 10.0), 1.19);
        FloorCheck.Outcome<String> o = FloorCheck.untilStable(s::next, 5, 0.10);
        assertThat(o.value()).isEqualTo("quiet");
        assertThat(o.attempts()).isEqualTo(3);
        assertThat(o.verdict().stable()).isTrue();
        assertThat(o.verdict().ratio()).isEqualTo(1.19);
        assertThat(s.asked).isEqualTo(3);
    }

    @Test
    void afterTheLastAttemptTheLeastNoisyPlausibleRoundIsReportedAsUnstable() {
        Script s = new Script()
                .add("below one, tight", ms(10.0, 10.0), 0.95)
                .add("wide", ms(9.0, 12.0), 1.20)
                .add("less wide", ms(9.0, 11.0), 1.22);
        FloorCheck.Outcome<String> o = FloorCheck.untilStable(s::next, 3, 0.10);
        assertThat(s.asked).isEqualTo(3);
        assertThat(o.attempts()).isEqualTo(3);
        assertThat(o.value()).isEqualTo("less wide");
        assertThat(o.verdict().stable()).isFalse();
        assertThat(o.verdict().reason()).contains("differ by");
    }

    @Test
    void whenEveryRoundIsBelowOneTheLeastSpreadOneIsReported() {
        Script s = new Script()
                .add("a", ms(10.0, 11.0), 0.90)
                .add("b", ms(10.0, 10.2), 0.80);
        FloorCheck.Outcome<String> o = FloorCheck.untilStable(s::next, 2, 0.10);
        assertThat(o.value()).isEqualTo("b");
        assertThat(o.verdict().stable()).isFalse();
        assertThat(o.verdict().reason()).contains("below 1");
    }

    @Test
    void roundsNeedNumbersAndAttemptsMustBePositive() {
        assertThatThrownBy(() -> FloorCheck.untilStable(() -> new FloorCheck.Round<>("x", ms(10), new double[] {1.1}), 0, 0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempts must be >= 1");
        assertThatThrownBy(() -> new FloorCheck.Round<>("x", new double[0], new double[] {1.0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
