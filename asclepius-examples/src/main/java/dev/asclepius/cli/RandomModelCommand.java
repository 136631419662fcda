package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius random-model}: writes a random-weight checkpoint for benchmarks and tests. */
@Command(name = "random-model", mixinStandardHelpOptions = true,
        description = "Write a RANDOM-WEIGHT LLaMA checkpoint folder (config, LLaMA tokenizer, safetensors) for benchmarks.")
final class RandomModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder to write config.json, tokenizer.json and the weights to (created if missing).")
    Path out;

    @Option(names = "--preset", defaultValue = "small", paramLabel = "tiny|small|7b",
            description = "tiny: hidden 64 x 2 layers; small: hidden 512 x 8 layers (benchmark); 7b: LLaMA-7B layer shape (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--layers", paramLabel = "N", description = "Override the layer count (7b preset default: 2).")
    Integer layers;

    @Option(names = "--storage", defaultValue = "f32", paramLabel = "f32|f16|bf16",
            description = "Type the weights are stored in (default: ${DEFAULT-VALUE}).")
    String storage;

    @Option(names = "--shard-mb", defaultValue = "0", paramLabel = "MB", description = "Split into shards of about this size (default: ${DEFAULT-VALUE}: one file).")
    long shardMb;

    @Override
    public Integer call() {
        RandomModelSpec spec0 = switch (preset.toLowerCase(Locale.ROOT)) {
            case "tiny" -> RandomModelSpec.tiny();
            case "small" -> RandomModelSpec.small();
            case "7b" -> RandomModelSpec.llama7bShape(layers == null ? 2 : layers);
            default -> throw new InvalidInputException("Unknown preset '" + preset + "': use tiny, small or 7b.");
        };
        if (layers != null) {
            spec0 = new RandomModelSpec(spec0.modelType(), spec0.vocabSize(), spec0.hiddenSize(), spec0.intermediateSize(),
                    layers, spec0.heads(), spec0.kvHeads(), spec0.contextLength(), spec0.tieWordEmbeddings(),
                    spec0.storage(), spec0.seed(), spec0.maxShardBytes());
        }
        StorageType type = switch (storage.toLowerCase(Locale.ROOT)) {
            case "f32" -> StorageType.F32;
            case "f16" -> StorageType.F16;
            case "bf16" -> StorageType.BF16;
            default -> throw new InvalidInputException("Unknown storage '" + storage + "': use f32, f16 or bf16.");
        };
        RandomModelSpec model = spec0.withStorage(type).withShards(shardMb * 1024 * 1024);
        long start = System.nanoTime();
        RandomModelWriter.write(out, model);
        spec.commandLine().getOut().printf("Wrote random %s checkpoint (hidden %d, %d layers, intermediate %d, vocab %d, %s) to %s in %.1f s%n",
                preset, model.hiddenSize(), model.layers(), model.intermediateSize(), model.vocabSize(), type, out,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
