/**
 * The llama.cpp backend (java-llama.cpp, GGUF files) behind the {@link dev.asclepius.core.LanguageModel}
 * contract, found through {@link dev.asclepius.core.spi.ModelProvider}, and the Hugging Face to GGUF
 * converter. de.kherud:llama 4.2.0 has no module descriptor and no Automatic-Module-Name: {@code llama} is
 * the name Java derives from its file name.
 */
@SuppressWarnings("requires-automatic")
module dev.asclepius.llamacpp {
    requires transitive dev.asclepius.core;
    requires static transitive org.jspecify;
    requires llama;
    requires com.google.gson;

    exports dev.asclepius.llamacpp;

    provides dev.asclepius.core.spi.ModelProvider with dev.asclepius.llamacpp.LlamaCppProvider;
}
