package dev.asclepius.core.internal.model;

import static dev.asclepius.core.internal.model.ForwardParityTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optional CPU kernels ({@link CpuKernels}: prompts through oneDNN, decode rows split across Java threads)
 * compute the same logits as the default kernels and as the independent scalar reference.
 */
class CpuKernelsTest {
    @TempDir
    Path dir;

    private static int[] ids(int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = (i * 41 + 5) % 256;
        }
        return ids;
    }

    @ParameterizedTest(name = "decode split {0}")
    @ValueSource(ints = {2, 3})
    void onednnPromptsAndSplitDecodeMatchTheReferenceAndTheDefaultKernels(int split) {
        // GQA 8/2 heads with 96 intermediate: the fused matrices' row counts (129, 193, ...) do not divide evenly.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 2, 8, 2, 64, false, StorageType.F32, 13, 0));
        int[] ids = ids(40);   // 40 prompt rows: the oneDNN path (>= 16 rows)
        int prefill = 24;
        try (ForwardParityTest.Loaded plain = ForwardParityTest.Loaded.of(dir, DataType.FLOAT32);
             ForwardParityTest.Loaded tuned = ForwardParityTest.Loaded.of(dir, DataType.FLOAT32,
                     new CpuKernels(true, split))) {
            assertThat(tuned.model().kernels().describe()).contains("onednn").contains(split + " Java threads");
            float[][] reference = plain.reference().forward(ids);
            assertClose(tuned.allLogits(ids), reference, 1e-4);
            try (KvCache a = plain.model().newCache(1, ids.length); KvCache b = tuned.model().newCache(1, ids.length);
                 NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                assertClose(new float[][] {tuned.forward(java.util.Arrays.copyOf(ids, prefill), 0, b)},
                        new float[][] {plain.forward(java.util.Arrays.copyOf(ids, prefill), 0, a)}, 1e-5);
                for (int pos = prefill; pos < ids.length; pos++) {
                    float[] expected = plain.forward(new int[] {ids[pos]}, pos, a);
                    float[] actual = tuned.forward(new int[] {ids[pos]}, pos, b);
                    assertClose(new float[][] {actual}, new float[][] {expected}, 1e-5);
                    assertClose(new float[][] {actual}, new float[][] {reference[pos]}, 1e-4);
                }
            }
        }
    }

    @Test
    void aSplitProductWithAResidualEqualsTheSingleOp() {
        PyTorchRuntime.engine();
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
             RowSplit split = new RowSplit(3);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray w = manager.randomNormal(new Shape(101, 37));
            NDArray x = manager.randomNormal(new Shape(1, 37));
            NDArray residual = manager.randomNormal(new Shape(1, 101));
            float[] expected = TorchOps.linear(x, w, residual).toFloatArray();
            float[] actual = split.linear(x, w, residual).toFloatArray();
            assertClose(new float[][] {actual}, new float[][] {expected}, 1e-5);
            float[] noResidual = split.linear(x, w, null).toFloatArray();   // second call: the cached row blocks
            assertClose(new float[][] {noResidual}, new float[][] {TorchOps.linear(x, w, null).toFloatArray()}, 1e-5);
            assertThat(split.parts()).isEqualTo(3);
        }
    }

    @Test
    void theOnednnProductEqualsLinear() {
        PyTorchRuntime.engine();
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray w = manager.randomNormal(new Shape(70, 33));
            NDArray x = manager.randomNormal(new Shape(20, 33));
            NDArray product = CpuKernels.onednnLinear(x, w);
            assertThat(product.getShape()).isEqualTo(new Shape(20, 70));
            float[] expected = TorchOps.linear(x, w, null).toFloatArray();
            assertClose(new float[][] {product.toFloatArray()}, new float[][] {expected}, 1e-4);
        }
    }

    @Test
    void systemPropertiesChooseTheKernelsAndBadValuesAreRefused() {
        String prefill = System.getProperty(CpuKernels.PREFILL_PROPERTY);
        String split = System.getProperty(CpuKernels.DECODE_SPLIT_PROPERTY);
        try {
            System.clearProperty(CpuKernels.PREFILL_PROPERTY);
            System.clearProperty(CpuKernels.DECODE_SPLIT_PROPERTY);
            // auto: one part per decode thread from 2 up; one thread is the plain OpenMP op
            assertThat(CpuKernels.fromSystemProperties(1)).isEqualTo(CpuKernels.DEFAULT);
            assertThat(CpuKernels.fromSystemProperties(2)).isEqualTo(new CpuKernels(false, 2));
            System.setProperty(CpuKernels.DECODE_SPLIT_PROPERTY, "1");
            assertThat(CpuKernels.fromSystemProperties(4)).as("1 turns the split off").isEqualTo(CpuKernels.DEFAULT);
            System.setProperty(CpuKernels.PREFILL_PROPERTY, "oneDNN");
            System.setProperty(CpuKernels.DECODE_SPLIT_PROPERTY, "2");
            assertThat(CpuKernels.fromSystemProperties(2)).isEqualTo(new CpuKernels(true, 2));
            System.setProperty(CpuKernels.PREFILL_PROPERTY, "blas");
            assertThatThrownBy(() -> CpuKernels.fromSystemProperties(2)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("mkl or onednn").hasMessageContaining("'blas'");
            System.setProperty(CpuKernels.PREFILL_PROPERTY, "mkl");
            System.setProperty(CpuKernels.DECODE_SPLIT_PROPERTY, "two");
            assertThatThrownBy(() -> CpuKernels.fromSystemProperties(2)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("thread count");
            System.setProperty(CpuKernels.DECODE_SPLIT_PROPERTY, "0");
            assertThatThrownBy(() -> CpuKernels.fromSystemProperties(2)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("1-256");
            assertThatThrownBy(() -> new CpuKernels(false, 0)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            restore(CpuKernels.PREFILL_PROPERTY, prefill);
            restore(CpuKernels.DECODE_SPLIT_PROPERTY, split);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
