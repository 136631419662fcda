package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Attention head bookkeeping: multi-head attention against an explicit per-head formulation, and GQA
 * against the equivalent multi-head model with HF's {@code repeat_kv} applied to the weights.
 */
class GroupedQueryAttentionTest {

    private static final int[] IDS = {3, 17, 0, 31, 8, 8, 22, 5, 13};

    @Test
    void multiHeadMatchesExplicitPerHeadImplementation() {
        ReferenceConfig cfg = ReferenceConfig.tiny().withKvHeads(ReferenceConfig.tiny().heads());
        Map<String, float[]> weights = RandomLlamaWeights.generate(cfg, 11);

        float[][] actual = new ReferenceLlama(cfg, weights).forward(IDS);
        double[][] expected = PerHeadLlama.forward(cfg, weights, IDS);

        assertAllClose(actual, expected, 1e-5);
    }

    @Test
    void groupedQueryEqualsMultiHeadWithRepeatedKeyValueWeights() {
        ReferenceConfig gqa = ReferenceConfig.tiny();          // 4 query heads, 2 kv heads
        ReferenceConfig mha = gqa.withKvHeads(gqa.heads());
        assertThat(gqa.kvHeads()).isLessThan(gqa.heads());
        Map<String, float[]> weights = RandomLlamaWeights.generate(gqa, 12);

        float[][] grouped = new ReferenceLlama(gqa, weights).forward(IDS);
        float[][] repeated = new ReferenceLlama(mha, repeatKv(gqa, weights, h -> h / gqa.queriesPerKvHead()))
                .forward(IDS);

        assertAllClose(grouped, toDouble(repeated), 1e-6);
    }

    @Test
    void groupedQueryDiffersFromInterleavedHeadAssignment() {
        // Negative control: assigning kv head h % kvHeads (a plausible bug) must give other logits,
        // otherwise the test above could not tell the two mappings apart.
        ReferenceConfig gqa = ReferenceConfig.tiny();
        ReferenceConfig mha = gqa.withKvHeads(gqa.heads());
        Map<String, float[]> weights = RandomLlamaWeights.generate(gqa, 12);

        float[][] grouped = new ReferenceLlama(gqa, weights).forward(IDS);
        float[][] interleaved = new ReferenceLlama(mha, repeatKv(gqa, weights, h -> h % gqa.kvHeads()))
                .forward(IDS);

        assertThat(maxAbsDiff(grouped, toDouble(interleaved))).isGreaterThan(1e-3);
    }

    /** MHA weights in which query head h's k/v rows are copied from GQA kv head {@code kvHeadOf(h)}. */
    private static Map<String, float[]> repeatKv(ReferenceConfig gqa, Map<String, float[]> weights,
                                                 IntUnaryOperator kvHeadOf) {
        int headDim = gqa.headDim();
        int hidden = gqa.hiddenSize();
        int rowsPerHead = headDim * hidden;
        Map<String, float[]> out = new LinkedHashMap<>(weights);
        for (int layer = 0; layer < gqa.layers(); layer++) {
            for (String proj : new String[] {"k_proj", "v_proj"}) {
                String name = "model.layers." + layer + ".self_attn." + proj + ".weight";
                float[] src = weights.get(name);
                float[] dst = new float[gqa.heads() * rowsPerHead];
                for (int h = 0; h < gqa.heads(); h++) {
                    System.arraycopy(src, kvHeadOf.applyAsInt(h) * rowsPerHead, dst, h * rowsPerHead, rowsPerHead);
                }
                out.put(name, dst);
            }
        }
        return out;
    }

    /**
     * A second, structurally different forward pass for kvHeads == heads: weights are sliced into
     * per-head matrices, the causal mask is applied HF-style as -inf on a full [seq, seq] score matrix,
     * and o_proj is applied as a sum over heads of per-head column blocks instead of on the concatenation.
     * Norm, RoPE, SiLU and linear come from ReferenceLlama; those have their own tests.
     */
    private static final class PerHeadLlama {

        static double[][] forward(ReferenceConfig cfg, Map<String, float[]> w, int[] ids) {
            int seq = ids.length;
            int hidden = cfg.hiddenSize();
            int headDim = cfg.headDim();
            double eps = cfg.rmsNormEps();
            double[][] x = new double[seq][hidden];
            float[] embed = w.get("model.embed_tokens.weight");
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < hidden; i++) {
                    x[t][i] = embed[ids[t] * hidden + i];
                }
            }
            for (int l = 0; l < cfg.layers(); l++) {
                String p = "model.layers." + l + ".";
                double[][] n = new double[seq][];
                for (int t = 0; t < seq; t++) {
                    n[t] = ReferenceLlama.rmsNorm(x[t], w.get(p + "input_layernorm.weight"), eps);
                }
                double[][] attnOut = new double[seq][hidden];
                for (int h = 0; h < cfg.heads(); h++) {
                    double[][] wq = rowBlock(w.get(p + "self_attn.q_proj.weight"), h * headDim, headDim, hidden);
                    double[][] wk = rowBlock(w.get(p + "self_attn.k_proj.weight"), h * headDim, headDim, hidden);
                    double[][] wv = rowBlock(w.get(p + "self_attn.v_proj.weight"), h * headDim, headDim, hidden);
                    double[][] woBlock = columnBlock(w.get(p + "self_attn.o_proj.weight"), hidden,
                            cfg.heads() * headDim, h * headDim, headDim);
                    double[][] q = new double[seq][];
                    double[][] k = new double[seq][];
                    double[][] v = new double[seq][];
                    for (int t = 0; t < seq; t++) {
                        q[t] = matVec(wq, n[t]);
                        k[t] = matVec(wk, n[t]);
                        v[t] = matVec(wv, n[t]);
                        ReferenceLlama.applyRope(q[t], 0, headDim, t, cfg.ropeTheta());
                        ReferenceLlama.applyRope(k[t], 0, headDim, t, cfg.ropeTheta());
                    }
                    for (int t = 0; t < seq; t++) {
                        double[] scores = new double[seq];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int s = 0; s < seq; s++) {
                            scores[s] = s > t ? Double.NEGATIVE_INFINITY : dot(q[t], k[s]) / Math.sqrt(headDim);
                            max = Math.max(max, scores[s]);
                        }
                        double sum = 0;
                        for (int s = 0; s < seq; s++) {
                            scores[s] = Math.exp(scores[s] - max); // exp(-inf) = 0: the mask
                            sum += scores[s];
                        }
                        double[] head = new double[headDim];
                        for (int s = 0; s < seq; s++) {
                            for (int d = 0; d < headDim; d++) {
                                head[d] += scores[s] / sum * v[s][d];
                            }
                        }
                        double[] projected = matVec(woBlock, head);
                        for (int i = 0; i < hidden; i++) {
                            attnOut[t][i] += projected[i];
                        }
                    }
                }
                for (int t = 0; t < seq; t++) {
                    for (int i = 0; i < hidden; i++) {
                        x[t][i] += attnOut[t][i];
                    }
                    double[] m = ReferenceLlama.rmsNorm(x[t], w.get(p + "post_attention_layernorm.weight"), eps);
                    double[] gate = ReferenceLlama.linear(w.get(p + "mlp.gate_proj.weight"), m, cfg.intermediateSize());
                    double[] up = ReferenceLlama.linear(w.get(p + "mlp.up_proj.weight"), m, cfg.intermediateSize());
                    for (int j = 0; j < gate.length; j++) {
                        gate[j] = ReferenceLlama.silu(gate[j]) * up[j];
                    }
                    double[] down = ReferenceLlama.linear(w.get(p + "mlp.down_proj.weight"), gate, hidden);
                    for (int i = 0; i < hidden; i++) {
                        x[t][i] += down[i];
                    }
                }
            }
            double[][] logits = new double[seq][];
            for (int t = 0; t < seq; t++) {
                double[] f = ReferenceLlama.rmsNorm(x[t], w.get("model.norm.weight"), eps);
                logits[t] = ReferenceLlama.linear(w.get("lm_head.weight"), f, cfg.vocabSize());
            }
            return logits;
        }

        /** Rows [firstRow, firstRow + rows) of an [?, cols] row-major matrix. */
        private static double[][] rowBlock(float[] m, int firstRow, int rows, int cols) {
            double[][] out = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[r][c] = m[(firstRow + r) * cols + c];
                }
            }
            return out;
        }

        /** Columns [firstCol, firstCol + width) of a [rows, cols] row-major matrix. */
        private static double[][] columnBlock(float[] m, int rows, int cols, int firstCol, int width) {
            double[][] out = new double[rows][width];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    out[r][c] = m[r * cols + firstCol + c];
                }
            }
            return out;
        }

        private static double[] matVec(double[][] m, double[] x) {
            double[] y = new double[m.length];
            for (int r = 0; r < m.length; r++) {
                y[r] = dot(m[r], x);
            }
            return y;
        }

        private static double dot(double[] a, double[] b) {
            double acc = 0;
            for (int i = 0; i < a.length; i++) {
                acc += a[i] * b[i];
            }
            return acc;
        }
    }

    static void assertAllClose(float[][] actual, double[][] expected, double tolerance) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int t = 0; t < expected.length; t++) {
            assertThat(actual[t]).hasSize(expected[t].length);
            for (int v = 0; v < expected[t].length; v++) {
                assertThat((double) actual[t][v]).as("logit [%d][%d]", t, v)
                        .isCloseTo(expected[t][v], within(tolerance));
            }
        }
    }

    static double maxAbsDiff(float[][] a, double[][] b) {
        double max = 0;
        for (int t = 0; t < a.length; t++) {
            for (int v = 0; v < a[t].length; v++) {
                max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
            }
        }
        return max;
    }

    static double[][] toDouble(float[][] a) {
        double[][] out = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            out[t] = new double[a[t].length];
            for (int v = 0; v < a[t].length; v++) {
                out[t][v] = a[t][v];
            }
        }
        return out;
    }
}
