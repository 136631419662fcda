package dev.asclepius.llamacpp;

import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.spi.ModelProvider;
import dev.asclepius.core.spi.ModelRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/** Registers {@link LlamaCppModel} for {@code .gguf} files and hub ids with a {@code .gguf} file. */
public final class LlamaCppProvider implements ModelProvider {
    /** Called by {@link java.util.ServiceLoader} (this module's {@code provides}); applications need not. */
    public LlamaCppProvider() {
    }

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public boolean accepts(ModelRequest request) {
        return request.wantsGguf();
    }

    @Override
    public LanguageModel open(ModelRequest request) {
        Path file;
        if (request.file().isPresent()) {
            Path dir = Path.of(request.model());
            file = Files.isDirectory(dir) ? dir.resolve(request.file().get())
                    : request.hub().resolveFile(request.model(), request.revision().orElse(null), request.file().get());
        } else {
            file = Path.of(request.model());
        }
        LlamaCppModel.Builder b = LlamaCppModel.builder(file);
        request.threads().ifPresent(b::threads);
        request.contextLength().ifPresent(b::contextLength);
        request.gpuLayers().ifPresent(b::gpuLayers);
        return b.build();
    }
}
