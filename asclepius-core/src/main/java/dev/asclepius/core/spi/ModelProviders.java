package dev.asclepius.core.spi;

import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.UnsupportedModelException;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link ModelProvider} for a request on the class path. */
public final class ModelProviders {
    private ModelProviders() {
    }

    /** The first provider on the class path that accepts {@code request}. */
    public static Optional<ModelProvider> find(ModelRequest request) {
        for (ModelProvider p : ServiceLoader.load(ModelProvider.class, ModelProviders.class.getClassLoader())) {
            if (p.accepts(request)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Opens a GGUF request with its provider.
     *
     * @throws UnsupportedModelException when no provider on the class path loads GGUF files, naming the
     *                                   artifact to add
     */
    public static LanguageModel openGguf(ModelRequest request) {
        return find(request).orElseThrow(() -> new UnsupportedModelException("\"" + request.model()
                + request.file().map(f -> "\" file \"" + f).orElse("") + "\" is a GGUF model, which runs on llama.cpp:"
                + " add the dependency dev.asclepius:asclepius-llamacpp to the class path (the asclepius CLI has it)."))
                .open(request);
    }
}
