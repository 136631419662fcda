package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void knownF16BitPatterns() {
        assertThat(f16(1.0f)).isEqualTo(0x3C00);
        assertThat(f16(-2.0f)).isEqualTo(0xC000);
        assertThat(f16(65504f)).isEqualTo(0x7BFF);
        assertThat(f16(65519f)).isEqualTo(0x7BFF);
        assertThat(f16(65520f)).as("tie between 65504 and infinity goes to even (infinity)").isEqualTo(0x7C00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
        assertThat(f16(-0.0f)).isEqualTo(0x8000);
        assertThat(f16(0x1p-14f)).as("smallest normal").isEqualTo(0x0400);
        assertThat(f16(1023 * 0x1p-24f)).as("largest subnormal").isEqualTo(0x03FF);
        assertThat(f16(0x1p-24f)).as("smallest subnormal").isEqualTo(0x0001);
        assertThat(f16(0x1p-25f)).as("half the smallest subnormal ties to even zero").isEqualTo(0x0000);
        assertThat(f16(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
        assertThat(f16(3 * 0x1p-25f)).as("1.5 units ties to even 2").isEqualTo(0x0002);
        assertThat(f16(1 + 0x1p-11f)).as("tie rounds down to even").isEqualTo(0x3C00);
        assertThat(f16(1 + 3 * 0x1p-11f)).as("tie rounds up to even").isEqualTo(0x3C02);
        int nan = f16(Float.NaN);
        assertThat(nan & 0x7C00).isEqualTo(0x7C00);
        assertThat(nan & 0x03FF).isNotZero();
    }

    @Test
    void knownF16Decodings() {
        assertThat(HalfFloats.f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000))).isEqualTo(0x80000000);
    }

    @Test
    void everyNonNanHalfSurvivesARoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            boolean isNan = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
            float f = HalfFloats.f16ToFloat((short) h);
            if (isNan) {
                assertThat(f).isNaN();
            } else {
                assertThat(f16(f)).as("half 0x%04x", h).isEqualTo(h);
            }
        }
    }

    /** Compares against a brute-force nearest-value search over all finite halves (ties to even mantissa). */
    @Test
    void floatToF16RoundsToNearestEvenLikeABruteForceSearch() {
        double[] halves = new double[0x7C00]; // all finite non-negative halves, ascending
        for (int h = 0; h < halves.length; h++) {
            halves[h] = HalfFloats.f16ToFloat((short) h);
        }
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // Spread over the whole half range, including subnormals and just past the largest finite half.
            float f = (float) (Math.scalb(rnd.nextDouble(1, 2), rnd.nextInt(-26, 16)) * (rnd.nextBoolean() ? 1 : -1));
            assertThat(f16(f)).as("%s", f).isEqualTo(referenceF16(halves, f));
        }
    }

    private static int referenceF16(double[] halves, float f) {
        double a = Math.abs((double) f);
        int sign = f < 0 ? 0x8000 : 0;
        // Past 65504 + half an ulp (32 / 2 = 16) the value rounds to infinity.
        if (a >= 65520) {
            return sign | 0x7C00;
        }
        int idx = Arrays.binarySearch(halves, a);
        if (idx >= 0) {
            return sign | idx;
        }
        int hi = -idx - 1;
        int lo = hi - 1;
        if (hi == halves.length) {
            return sign | lo; // between 65504 and 65520
        }
        double dLo = a - halves[lo];
        double dHi = halves[hi] - a;
        int pick = dLo < dHi ? lo : dHi < dLo ? hi : (lo % 2 == 0 ? lo : hi);
        return sign | pick;
    }

    @Test
    void bf16() {
        assertThat(HalfFloats.floatToBf16(1.0f) & 0xffff).isEqualTo(0x3F80);
        assertThat(HalfFloats.floatToBf16(-3.0f) & 0xffff).isEqualTo(0xC040);
        assertThat(HalfFloats.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(HalfFloats.bf16ToFloat((short) 0xC040)).isEqualTo(-3.0f);
        assertThat(HalfFloats.floatToBf16(1 + 0x1p-8f) & 0xffff).as("tie to even, down").isEqualTo(0x3F80);
        assertThat(HalfFloats.floatToBf16(1 + 3 * 0x1p-8f) & 0xffff).as("tie to even, up").isEqualTo(0x3F82);
        assertThat(HalfFloats.floatToBf16(1 + 0x1p-8f + 0x1p-20f) & 0xffff).as("above the tie").isEqualTo(0x3F81);
        assertThat(HalfFloats.floatToBf16(Float.MAX_VALUE) & 0xffff).isEqualTo(0x7F80);
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))).isNaN();
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7F800001)))).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
    }

    private static int f16(float f) {
        return HalfFloats.floatToF16(f) & 0xffff;
    }
}
