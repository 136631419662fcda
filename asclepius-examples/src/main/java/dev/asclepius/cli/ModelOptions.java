package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import java.util.Optional;
import java.util.OptionalInt;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.hub.HubModels;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME",
            description = "HuggingFace model folder (config.json, tokenizer.json, weights), or a hub id such as "
                    + "starmpcc/Asclepius-7B: taken from the Hugging Face cache, downloaded there if missing.")
    String model;

    @Option(names = "--gguf-file", paramLabel = "FILE", description = "A .gguf file inside the hub repository (or folder) --model names,"
            + " e.g. asclepius-7b.Q8_0.gguf: the model runs on llama.cpp. A --model ending in .gguf needs no --gguf-file.")
    String ggufFile;

    @Option(names = "--ctx", paramLabel = "N", description = "Context window for a GGUF model (default: the model's own).")
    Integer contextLength;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub branch, tag or commit for a hub id (default: main).")
    String revision;

    @Option(names = "--offline", description = "Use only the local Hugging Face cache for a hub id, never the network (also HF_HUB_OFFLINE=1).")
    boolean offline;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu:N", description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "f32|f16", description = "Weight/compute type (default f32 on cpu, f16 on gpu).")
    String dtype;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--decode-threads", paramLabel = "N", description = "CPU threads for single-sequence decode steps (default: as "
            + "--threads). Decoding is memory-bound: on a small machine one thread can be faster; compare with bench.")
    Integer decodeThreads;

    /** The model folder: {@code --model} itself when it is a folder, else the hub snapshot of that id. */
    Path folder() {
        HubModels.Builder hub = HubModels.builder();
        if (offline) {
            hub.offline(true);
        }
        return hub.build().locate(model, revision);
    }

    /** Whether --model/--gguf-file name a GGUF model (run on llama.cpp). */
    boolean gguf() {
        return request().wantsGguf();
    }

    private ModelRequest request() {
        HubModels.Builder hub = HubModels.builder();
        if (offline) {
            hub.offline(true);
        }
        return new ModelRequest(model, Optional.ofNullable(ggufFile), Optional.ofNullable(revision),
                threads == null ? OptionalInt.empty() : OptionalInt.of(threads),
                contextLength == null ? OptionalInt.empty() : OptionalInt.of(contextLength), OptionalInt.empty(), hub.build());
    }

    /** The model: llama.cpp for a GGUF file, else the DJL engine. */
    LanguageModel loadAny() {
        if (gguf()) {
            if (dtype != null || !"cpu".equals(device) || decodeThreads != null) {
                throw new InvalidInputException("--dtype, --device and --decode-threads apply to the DJL engine; a GGUF model"
                        + " has its weight type in the file and runs on the CPU");
            }
            return ModelProviders.openGguf(request());
        }
        return load();
    }

    /** The DJL engine's model; a GGUF request is refused with what to do instead. */
    LocalModel load() {
        if (gguf()) {
            throw new InvalidInputException("This command option needs the DJL engine (a model folder or hub id),"
                    + " not a GGUF file");
        }
        LocalModel.Builder builder = LocalModel.builder(folder()).device(Device.parse(device));
        if (dtype != null) {
            builder.computeType(ComputeType.parse(dtype));
        }
        if (threads != null) {
            builder.threads(threads);
        }
        if (decodeThreads != null) {
            builder.decodeThreads(decodeThreads);
        }
        return builder.build();
    }
}
