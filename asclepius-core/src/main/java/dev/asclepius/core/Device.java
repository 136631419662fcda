package dev.asclepius.core;

import java.util.Locale;

/**
 * Where the model runs: the CPU, or GPU number {@code index}.
 *
 * @param type  {@code "cpu"} or {@code "gpu"}
 * @param index GPU ordinal; {@code -1} for the CPU
 */
public record Device(String type, int index) {
    public Device {
        if (!type.equals("cpu") && !type.equals("gpu")) {
            throw new InvalidInputException("Device type must be 'cpu' or 'gpu', got '" + type + "'");
        }
        if (type.equals("cpu") && index != -1) {
            throw new InvalidInputException("The CPU device has no index");
        }
        if (type.equals("gpu") && index < 0) {
            throw new InvalidInputException("GPU index must be >= 0, got " + index);
        }
    }

    public static Device cpu() {
        return new Device("cpu", -1);
    }

    public static Device gpu(int index) {
        return new Device("gpu", index);
    }

    public boolean isGpu() {
        return type.equals("gpu");
    }

    /** Parses {@code cpu}, {@code gpu}, {@code gpu:N}, {@code gpu(N)} or {@code cuda:N}. */
    public static Device parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        String rest = null;
        for (String prefix : new String[] {"gpu", "cuda"}) {
            if (s.startsWith(prefix)) {
                rest = s.substring(prefix.length());
            }
        }
        if (rest != null) {
            if (rest.isEmpty()) {
                return gpu(0);
            }
            String digits = rest.startsWith(":") ? rest.substring(1)
                    : rest.startsWith("(") && rest.endsWith(")") ? rest.substring(1, rest.length() - 1) : null;
            if (digits != null && digits.matches("\\d+")) {
                return gpu(Integer.parseInt(digits));
            }
        }
        throw new InvalidInputException("Unknown device '" + text + "': use cpu, gpu:0, gpu:1, ...");
    }

    @Override
    public String toString() {
        return isGpu() ? "gpu:" + index : "cpu";
    }
}
