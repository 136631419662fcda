package dev.asclepius.llamacpp;

import dev.asclepius.core.InvalidInputException;
import java.util.Locale;

/**
 * Weight types {@link GgufConverter} writes, with their cost per weight. F32 is exact (for checking), F16
 * halves it, Q8_0 is near-lossless at about a quarter, Q4_0 the smallest with a visible quality cost.
 */
public enum GgufType {
    F32(0, 4.0),
    F16(1, 2.0),
    Q8_0(7, 34.0 / 32),
    Q4_0(2, 18.0 / 32);

    private final int fileType;
    private final double bytesPerWeight;

    GgufType(int fileType, double bytesPerWeight) {
        this.fileType = fileType;
        this.bytesPerWeight = bytesPerWeight;
    }

    /** The {@code general.file_type} value llama.cpp uses for a file mostly in this type. */
    public int fileType() {
        return fileType;
    }

    /** Bytes one weight of a large matrix takes (block scales included). */
    public double bytesPerWeight() {
        return bytesPerWeight;
    }

    /** Parses {@code f32}, {@code f16}, {@code q8_0} or {@code q4_0} (any case). */
    public static GgufType parse(String s) {
        for (GgufType t : values()) {
            if (t.name().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new InvalidInputException("Unknown GGUF type \"" + s + "\": use f32, f16, q8_0 or q4_0");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
