package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of {@link ReferenceLlama#applyRope} that hold for any correct rotary embedding. */
class RopeTest {

    private static final int HEAD_DIM = 16;
    private static final double THETA = 10000.0;

    @Test
    void rotationPreservesNorm() {
        SplittableRandom random = new SplittableRandom(1);
        for (int position : new int[] {0, 1, 7, 123, 4095}) {
            double[] v = randomVector(random);
            double before = norm(v);
            ReferenceLlama.applyRope(v, 0, HEAD_DIM, position, THETA);
            assertThat(norm(v)).as("position %d", position).isCloseTo(before, within(1e-12));
        }
    }

    @Test
    void positionZeroIsIdentity() {
        double[] v = randomVector(new SplittableRandom(2));
        double[] rotated = v.clone();
        ReferenceLlama.applyRope(rotated, 0, HEAD_DIM, 0, THETA);
        assertThat(rotated).containsExactly(v);
    }

    @Test
    void scoreDependsOnlyOnRelativePosition() {
        SplittableRandom random = new SplittableRandom(3);
        double[] q = randomVector(random);
        double[] k = randomVector(random);
        for (int distance : new int[] {0, 1, 5, 40}) {
            double reference = rotatedDot(q, distance, k, 0);
            for (int start : new int[] {1, 3, 17, 250, 1000}) {
                assertThat(rotatedDot(q, start + distance, k, start))
                        .as("q at %d, k at %d", start + distance, start)
                        .isCloseTo(reference, within(1e-9));
            }
        }
        // ...and does depend on it, or the test above would pass for a no-op.
        assertThat(rotatedDot(q, 1, k, 0)).isNotCloseTo(rotatedDot(q, 2, k, 0), within(1e-3));
    }

    @Test
    void pairsElementWithTheOneHalfAHeadAway() {
        // HF rotate-half: element i rotates with element i + headDim/2 by angle p * theta^(-2i/headDim).
        // The interleaved (GPT-J / Meta) layout would pair i with i + 1 instead.
        int position = 3;
        for (int i = 0; i < HEAD_DIM / 2; i++) {
            double[] v = new double[HEAD_DIM];
            v[i] = 1;
            ReferenceLlama.applyRope(v, 0, HEAD_DIM, position, THETA);
            double angle = position * Math.pow(THETA, -2.0 * i / HEAD_DIM);
            double[] expected = new double[HEAD_DIM];
            expected[i] = Math.cos(angle);
            expected[i + HEAD_DIM / 2] = Math.sin(angle);
            assertThat(v).as("e_%d", i).containsExactly(expected, within(1e-12));
        }
    }

    @Test
    void rotatesOnlyTheRequestedHead() {
        double[] v = new double[3 * HEAD_DIM];
        Arrays.fill(v, 1.0);
        ReferenceLlama.applyRope(v, HEAD_DIM, HEAD_DIM, 5, THETA);
        for (int i = 0; i < HEAD_DIM; i++) {
            assertThat(v[i]).isEqualTo(1.0);
            assertThat(v[2 * HEAD_DIM + i]).isEqualTo(1.0);
        }
        assertThat(v[HEAD_DIM]).isNotEqualTo(1.0);
    }

    private static double rotatedDot(double[] q, int qPosition, double[] k, int kPosition) {
        double[] rq = q.clone();
        double[] rk = k.clone();
        ReferenceLlama.applyRope(rq, 0, HEAD_DIM, qPosition, THETA);
        ReferenceLlama.applyRope(rk, 0, HEAD_DIM, kPosition, THETA);
        double dot = 0;
        for (int i = 0; i < HEAD_DIM; i++) {
            dot += rq[i] * rk[i];
        }
        return dot;
    }

    private static double[] randomVector(SplittableRandom random) {
        double[] v = new double[HEAD_DIM];
        for (int i = 0; i < HEAD_DIM; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        return v;
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }
}
