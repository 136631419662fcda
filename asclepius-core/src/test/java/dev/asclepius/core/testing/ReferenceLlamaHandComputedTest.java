package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link ReferenceLlama} against logits derived by hand for a 1-layer, 1-head, hidden-4,
 * vocab-3 model whose weights are mostly 0/1 matrices. Each expected value is spelled out as a short
 * formula below instead of re-running the same loops, so an error in the reference's indexing
 * (transposed [out, in], wrong RoPE pairing, missing norm weight) cannot cancel out.
 */
class ReferenceLlamaHandComputedTest {

    private static final double EPS = 1e-6;
    private static final ReferenceConfig CFG = new ReferenceConfig(3, 4, 2, 1, 1, 1, 10000.0, EPS, false);

    // Embeddings: token 2 has rms 2.5, so the input norm really rescales it.
    private static final double[][] EMBED = {{1, 1, 1, 1}, {2, 0, 0, 0}, {3, 0, 0, 4}};
    private static final double[] INPUT_NORM = {1, 1, 2, 1};
    private static final double[] FINAL_NORM = {1, 2, 1, 1};

    private static Map<String, float[]> weights() {
        Map<String, float[]> w = new HashMap<>();
        w.put("model.embed_tokens.weight", flat(EMBED));
        w.put("model.layers.0.input_layernorm.weight", toFloat(INPUT_NORM));
        w.put("model.layers.0.self_attn.q_proj.weight", flat(identity4()));
        w.put("model.layers.0.self_attn.k_proj.weight", flat(identity4()));
        // v_proj is the cyclic shift v[o] = n[(o + 1) % 4]: not symmetric, so reading it as [in, out]
        // would give n[(o - 1) % 4] and fail.
        double[][] shift = new double[4][4];
        for (int o = 0; o < 4; o++) {
            shift[o][(o + 1) % 4] = 1;
        }
        w.put("model.layers.0.self_attn.v_proj.weight", flat(shift));
        w.put("model.layers.0.self_attn.o_proj.weight", flat(identity4()));
        w.put("model.layers.0.post_attention_layernorm.weight", toFloat(new double[] {1, 1, 1, 1}));
        // gate[0] = m[1], up[0] = m[0], up[1] = m[3] (gate[1] = 0 so silu(0) * up[1] = 0);
        // down puts act[0] into dimension 2. Net MLP: [0, 0, silu(m1) * m0, 0].
        w.put("model.layers.0.mlp.gate_proj.weight", flat(new double[][] {{0, 1, 0, 0}, {0, 0, 0, 0}}));
        w.put("model.layers.0.mlp.up_proj.weight", flat(new double[][] {{1, 0, 0, 0}, {0, 0, 0, 1}}));
        w.put("model.layers.0.mlp.down_proj.weight", flat(new double[][] {{0, 0}, {0, 0}, {1, 0}, {0, 0}}));
        w.put("model.norm.weight", toFloat(FINAL_NORM));
        // logits = [f0, f1 - f3, f2] for the final normed vector f.
        w.put("lm_head.weight", flat(new double[][] {{1, 0, 0, 0}, {0, 1, 0, -1}, {0, 0, 1, 0}}));
        return w;
    }

    @Test
    void singleTokenAttentionIsTheValueProjection() {
        ReferenceLlama model = new ReferenceLlama(CFG, weights());
        for (int id = 0; id < 3; id++) {
            // One token at position 0: RoPE is the identity and softmax over one score is 1, so
            // attention returns v = shift(n) whatever q and k are.
            double[] x = EMBED[id];
            double[] n = norm(x, INPUT_NORM);
            double[] h = add(x, shift(n));
            double[] expected = tail(h);

            float[][] logits = model.forward(new int[] {id});

            assertThat(logits).hasDimensions(1, 3);
            assertClose(logits[0], expected);
        }
    }

    @Test
    void twoTokensUseRotatedScoresAndCausalMask() {
        ReferenceLlama model = new ReferenceLlama(CFG, weights());
        for (int[] ids : new int[][] {{0, 1}, {2, 0}, {1, 1}}) {
            float[][] logits = model.forward(ids);

            // Position 0 sees only itself: identical to the single-token case.
            double[] x0 = EMBED[ids[0]];
            double[] n0 = norm(x0, INPUT_NORM);
            assertClose(logits[0], tail(add(x0, shift(n0))));

            // Position 1: q = k = n (identity projections), k0 unrotated (position 0), q1 and k1 rotated
            // by position 1. Head dim 4 pairs (0, 2) with angle 1 * theta^0 = 1 rad and (1, 3) with
            // angle 1 * 10000^(-2/4) = 0.01 rad.
            double[] x1 = EMBED[ids[1]];
            double[] n1 = norm(x1, INPUT_NORM);
            double[] q1 = rotatePairs(n1, 1.0, 0.01);
            double[] k0 = n0;
            double[] k1 = q1;
            double s0 = dot(q1, k0) / Math.sqrt(4);
            double s1 = dot(q1, k1) / Math.sqrt(4);
            double p0 = Math.exp(s0) / (Math.exp(s0) + Math.exp(s1));
            double p1 = 1 - p0;
            double[] attention = add(scale(shift(n0), p0), scale(shift(n1), p1));
            double[] expected = tail(add(x1, attention));

            assertClose(logits[1], expected);
        }
    }

    /** Everything after attention for this model: post-attention norm, the MLP above, final norm, lm_head. */
    private static double[] tail(double[] h) {
        double[] m = norm(h, new double[] {1, 1, 1, 1});
        double silu = m[1] / (1 + Math.exp(-m[1]));
        double[] out = add(h, new double[] {0, 0, silu * m[0], 0});
        double[] f = norm(out, FINAL_NORM);
        return new double[] {f[0], f[1] - f[3], f[2]};
    }

    /** RMSNorm written out: w * x / sqrt(mean(x^2) + eps). */
    private static double[] norm(double[] x, double[] w) {
        double rms = Math.sqrt((x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + x[3] * x[3]) / 4 + EPS);
        return new double[] {w[0] * x[0] / rms, w[1] * x[1] / rms, w[2] * x[2] / rms, w[3] * x[3] / rms};
    }

    /** The rotate-half RoPE for head dim 4 as two plane rotations: (v0, v2) by a, (v1, v3) by b. */
    private static double[] rotatePairs(double[] v, double a, double b) {
        return new double[] {
            v[0] * Math.cos(a) - v[2] * Math.sin(a),
            v[1] * Math.cos(b) - v[3] * Math.sin(b),
            v[2] * Math.cos(a) + v[0] * Math.sin(a),
            v[3] * Math.cos(b) + v[1] * Math.sin(b),
        };
    }

    private static double[] shift(double[] n) {
        return new double[] {n[1], n[2], n[3], n[0]};
    }

    private static double[] add(double[] a, double[] b) {
        return new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]};
    }

    private static double[] scale(double[] a, double s) {
        return new double[] {a[0] * s, a[1] * s, a[2] * s, a[3] * s};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            // Logits are rounded to float once, so ~1e-7 relative error is all that is allowed.
            assertThat((double) actual[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-6));
        }
    }

    private static double[][] identity4() {
        double[][] m = new double[4][4];
        for (int i = 0; i < 4; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static float[] flat(double[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < m[r].length; c++) {
                out[r * m[r].length + c] = (float) m[r][c];
            }
        }
        return out;
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
