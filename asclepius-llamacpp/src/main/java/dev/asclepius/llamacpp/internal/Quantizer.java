package dev.asclepius.llamacpp.internal;

import dev.asclepius.core.internal.checkpoint.HalfFloats;
import java.nio.ByteBuffer;

/**
 * Row encoders and decoders for the GGUF types, written from the published block layouts (see
 * {@link GgmlType}); the rounding follows ggml's reference quantizers so llama.cpp reads what it would have
 * written itself.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /** Appends {@code row} in {@code type} to {@code out} (little-endian); the length is a multiple of the block size. */
    public static void encode(float[] row, GgmlType type, ByteBuffer out) {
        switch (type) {
            case F32 -> {
                for (float v : row) {
                    out.putFloat(v);
                }
            }
            case F16 -> {
                for (float v : row) {
                    out.putShort(HalfFloats.floatToF16(v));
                }
            }
            case Q8_0 -> encodeQ8(row, out);
            case Q4_0 -> encodeQ4(row, out);
        }
    }

    private static void encodeQ8(float[] row, ByteBuffer out) {
        for (int b = 0; b < row.length; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(row[b + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            out.putShort(HalfFloats.floatToF16(d));
            for (int j = 0; j < 32; j++) {
                // C roundf: half away from zero (Math.round rounds half up, which differs for negatives)
                out.put((byte) roundAway(row[b + j] * id));
            }
        }
    }

    private static void encodeQ4(float[] row, ByteBuffer out) {
        for (int b = 0; b < row.length; b += 32) {
            // the signed value of largest magnitude maps to -8, so the full 4-bit range is used on that side
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 32; j++) {
                float v = row[b + j];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            out.putShort(HalfFloats.floatToF16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (row[b + j] * id + 8.5f));
                int hi = Math.min(15, (int) (row[b + 16 + j] * id + 8.5f));
                out.put((byte) (lo | (hi << 4)));
            }
        }
    }

    /** Reads {@code n} values of {@code type} from {@code in} into {@code dst[offset..]}. */
    public static void decode(ByteBuffer in, GgmlType type, float[] dst, int offset, int n) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = in.getFloat();
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = HalfFloats.f16ToFloat(in.getShort());
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < n; b += 32) {
                    float d = HalfFloats.f16ToFloat(in.getShort());
                    for (int j = 0; j < 32; j++) {
                        dst[offset + b + j] = in.get() * d;
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n; b += 32) {
                    float d = HalfFloats.f16ToFloat(in.getShort());
                    for (int j = 0; j < 16; j++) {
                        int q = in.get() & 0xFF;
                        dst[offset + b + j] = ((q & 0x0F) - 8) * d;
                        dst[offset + b + 16 + j] = ((q >>> 4) - 8) * d;
                    }
                }
            }
        }
    }

    private static int roundAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5f) : Math.floor(v + 0.5f));
    }
}
