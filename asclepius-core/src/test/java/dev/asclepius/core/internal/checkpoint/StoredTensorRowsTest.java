package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** One row of a stored 2-D tensor widened to float: how the model gathers embedding rows. */
class StoredTensorRowsTest {

    private static final int ROWS = 5;
    private static final int COLUMNS = 3;

    /** Values exact in every storage type: small integers and halves. */
    private static float value(int row, int column) {
        return row * 4 - column * 0.5f - 3;
    }

    private static StoredTensor stored(StorageType type) {
        ByteBuffer bytes = ByteBuffer.allocate(ROWS * COLUMNS * (type == StorageType.F32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                float v = value(r, c);
                switch (type) {
                    case F32 -> bytes.putFloat(v);
                    case F16 -> bytes.putShort(HalfFloats.floatToF16(v));
                    case BF16 -> bytes.putShort((short) (Float.floatToIntBits(v) >>> 16));
                }
            }
        }
        bytes.flip();
        return new StoredTensor("embed", type, new long[] {ROWS, COLUMNS}, bytes);
    }

    @Test
    void eachStorageTypeGivesTheRowsValuesAppendedAtThePosition() {
        for (StorageType type : StorageType.values()) {
            StoredTensor t = stored(type);
            FloatBuffer out = FloatBuffer.allocate(2 * COLUMNS + 1);
            out.put(42f);
            t.copyRowAsFloatsTo(3, out);
            t.copyRowAsFloatsTo(0, out);
            float[] expected = {42f, value(3, 0), value(3, 1), value(3, 2), value(0, 0), value(0, 1), value(0, 2)};
            assertThat(out.position()).as(type.toString()).isEqualTo(expected.length);
            assertThat(Arrays.copyOf(out.array(), expected.length)).as(type.toString()).containsExactly(expected);
            assertThat(Arrays.copyOfRange(t.toFloatArray(), 3 * COLUMNS, 4 * COLUMNS)).as(type.toString())
                    .containsExactly(value(3, 0), value(3, 1), value(3, 2));
        }
    }

    @Test
    void aRowOutsideTheTableIsRefused() {
        StoredTensor t = stored(StorageType.F32);
        FloatBuffer out = FloatBuffer.allocate(COLUMNS);
        assertThatThrownBy(() -> t.copyRowAsFloatsTo(ROWS, out)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("row 5");
        assertThatThrownBy(() -> t.copyRowAsFloatsTo(-1, out)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(out.position()).isZero();
    }
}
