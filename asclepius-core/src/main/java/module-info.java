/**
 * The engine: {@link dev.asclepius.core.LocalModel} (LLaMA / Mistral on DJL + PyTorch), the
 * {@link dev.asclepius.core.LanguageModel} contract, the Hugging Face hub cache, the OpenAI-compatible
 * {@link dev.asclepius.core.remote.RemoteModel} and the provider SPI for other backends.
 *
 * <p>Only the four public packages are exported. The {@code .internal} packages are the implementation;
 * the few that other modules of this SDK use today are exported to those modules by name (see each line),
 * so an application cannot compile against them.
 */
// "module": the qualified exports name modules built after this one; "requires-automatic": DJL has no
// module descriptors, only Automatic-Module-Name entries (stable names).
@SuppressWarnings({"module", "requires-automatic"})
module dev.asclepius.core {
    requires org.slf4j;
    requires static transitive org.jspecify;
    requires ai.djl.api;
    requires ai.djl.pytorch_engine;
    requires ai.djl.tokenizers;
    requires com.google.gson;
    requires java.net.http;
    // Unmapper reaches sun.misc.Unsafe.invokeCleaner reflectively on JDK 17-21 (see its comment).
    requires jdk.unsupported;

    exports dev.asclepius.core;
    exports dev.asclepius.core.hub;
    exports dev.asclepius.core.remote;
    exports dev.asclepius.core.spi;

    // The CLI: `asclepius bench` (EngineBench), `random-model` (RandomModelWriter, StorageType), the
    // PyTorch thread and native-library report (PyTorchRuntime), download progress bars (ProgressBar).
    exports dev.asclepius.core.internal.bench to dev.asclepius.examples;
    exports dev.asclepius.core.internal.demo to dev.asclepius.examples;
    exports dev.asclepius.core.internal.engine to dev.asclepius.examples;
    exports dev.asclepius.core.internal.hub to dev.asclepius.examples;
    // `asclepius serve` speaks the same OpenAI wire format (records, codec, SSE) as RemoteModel.
    exports dev.asclepius.core.internal.wire to dev.asclepius.examples;
    // The GGUF converter (llamacpp) reads checkpoints, config.json and tokenizer.json with the same code as the
    // engine; ModelSpec (spark) checks a model folder on the driver before any executor loads it.
    exports dev.asclepius.core.internal.checkpoint to
            dev.asclepius.examples, dev.asclepius.llamacpp, dev.asclepius.spark;
    exports dev.asclepius.core.internal.model to dev.asclepius.llamacpp, dev.asclepius.spark;
    exports dev.asclepius.core.internal.tokenizer to dev.asclepius.llamacpp, dev.asclepius.spark;

    // Gson writes the bench's report records by reflection (asclepius bench --json).
    opens dev.asclepius.core.internal.bench to com.google.gson;

    uses dev.asclepius.core.spi.ModelProvider;
}
