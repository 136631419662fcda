package dev.asclepius.llamacpp;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link GgufConverter#convert} wrote.
 *
 * @param file          the GGUF file
 * @param type          the requested weight type
 * @param tensors       tensors written
 * @param bytes         size of the file
 * @param keptHigher    tensors written in a wider type than requested, each with the reason (a row length
 *                      that is not a multiple of the 32-value block, or the output matrix kept at Q8_0 under Q4_0)
 */
public record ConversionReport(Path file, GgufType type, int tensors, long bytes, List<String> keptHigher) {
    public ConversionReport {
        keptHigher = List.copyOf(keptHigher);
    }
}
