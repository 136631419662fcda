package dev.asclepius.cli;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.LocalModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "HuggingFace model folder (config.json, tokenizer.json, weights).")
    Path model;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu:N", description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "f32|f16", description = "Weight/compute type (default f32 on cpu, f16 on gpu).")
    String dtype;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch CPU threads (default: all cores).")
    Integer threads;

    LocalModel load() {
        LocalModel.Builder builder = LocalModel.builder(model).device(Device.parse(device));
        if (dtype != null) {
            builder.computeType(ComputeType.parse(dtype));
        }
        if (threads != null) {
            builder.threads(threads);
        }
        return builder.build();
    }
}
