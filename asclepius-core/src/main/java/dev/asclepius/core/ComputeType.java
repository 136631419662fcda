package dev.asclepius.core;

import java.util.Locale;

/** The floating-point type the weights are held in and the forward pass computes with. */
public enum ComputeType {
    /** 32-bit float: exact reference numerics; the CPU default. */
    F32,
    /** 16-bit IEEE half: half the memory and bandwidth; the GPU default. */
    F16;

    public static ComputeType defaultFor(Device device) {
        return device.isGpu() ? F16 : F32;
    }

    public static ComputeType parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "f32": case "fp32": case "float32": return F32;
            case "f16": case "fp16": case "float16": case "half": return F16;
            default:
                throw new InvalidInputException("Unknown dtype '" + text + "': use f32 or f16"
                        + (text.toLowerCase(Locale.ROOT).startsWith("bf") ? " (bf16 weights are converted while loading)" : ""));
        }
    }
}
