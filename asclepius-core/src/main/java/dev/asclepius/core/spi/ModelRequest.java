package dev.asclepius.core.spi;

import dev.asclepius.core.hub.HubModels;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a caller asked to load: a path or hub id, optionally one file of that hub repository (a {@code .gguf}
 * quantization), with the settings every backend understands.
 *
 * @param model        a file, folder or hub id {@code org/name}
 * @param file         a file inside the hub repository {@code model} names (e.g. {@code model.Q8_0.gguf})
 * @param revision     hub branch, tag or commit; empty means main
 * @param threads      CPU threads; empty means the backend's default
 * @param contextLength context window; empty means the model's own
 * @param gpuLayers    layers to offload to a GPU where the backend supports it; empty means none
 * @param hub          hub settings for downloads
 */
public record ModelRequest(String model, Optional<String> file, Optional<String> revision, OptionalInt threads,
                           OptionalInt contextLength, OptionalInt gpuLayers, HubModels hub) {
    public ModelRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(contextLength, "contextLength");
        Objects.requireNonNull(gpuLayers, "gpuLayers");
        Objects.requireNonNull(hub, "hub");
    }

    /** A request for {@code model} with every setting at its default and the environment's hub settings. */
    public static ModelRequest of(String model) {
        return new ModelRequest(model, Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), HubModels.fromEnvironment());
    }

    /** Whether this asks for a GGUF model: {@code model} or {@code file} ends in {@code .gguf}. */
    public boolean wantsGguf() {
        return isGguf(model) || file.map(ModelRequest::isGguf).orElse(false);
    }

    private static boolean isGguf(String s) {
        return s.toLowerCase(Locale.ROOT).endsWith(".gguf");
    }
}
