package dev.asclepius.core.internal.checkpoint;

/**
 * Conversions between float and the two 16-bit formats checkpoints use: IEEE 754 binary16 (F16) and
 * bfloat16 (BF16). Java 17 has no {@code Float.float16ToFloat}, so they are written out here.
 * Narrowing rounds to nearest, ties to even; subnormals, infinities and NaN are preserved.
 */
public final class HalfFloats {
    private HalfFloats() {}

    public static float f16ToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            // Zero or subnormal: mant * 2^-24 is exact in float.
            float magnitude = Math.scalb((float) mant, -24);
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // Infinity stays infinity; NaN stays a (quiet) NaN with the top payload bits.
            return (short) (abs == 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x38800000) {
            // Normal half range (>= 2^-14). Adding 0xfff plus the lowest kept bit rounds to nearest even;
            // a carry out of the mantissa correctly bumps the exponent, up to infinity.
            int rounded = abs + 0xfff + ((abs >>> 13) & 1);
            int h = (rounded - 0x38000000) >>> 13;
            return (short) (sign | Math.min(h, 0x7c00));
        }
        int exp = abs >>> 23;
        if (exp < 102) {
            // Below 2^-25: rounds to (signed) zero.
            return (short) sign;
        }
        // Subnormal half: count of 2^-24 units, rounded to nearest even.
        int mant = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - exp;
        int k = mant >>> shift;
        int rem = mant & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rem > halfway || (rem == halfway && (k & 1) == 1)) {
            k++;
        }
        return (short) (sign | k);
    }

    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
