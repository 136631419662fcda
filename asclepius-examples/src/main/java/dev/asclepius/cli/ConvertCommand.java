package dev.asclepius.cli;

import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.internal.hub.ProgressBar;
import dev.asclepius.llamacpp.ConversionReport;
import dev.asclepius.llamacpp.GgufConverter;
import dev.asclepius.llamacpp.GgufType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius convert}: a Hugging Face checkpoint to a GGUF file for the llama.cpp backend. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face LLaMA/Mistral checkpoint (folder or hub id) to a GGUF file that llama.cpp"
                + " runs (asclepius run --model FILE.gguf): f32, f16, q8_0 (near-lossless, ~1/4 of f32) or q4_0 (smallest).")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME",
            description = "Model folder, or a hub id taken from (or downloaded into) the Hugging Face cache.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub branch, tag or commit (default: main).")
    String revision;

    @Option(names = "--offline", description = "Use only the local Hugging Face cache for a hub id.")
    boolean offline;

    @Option(names = "--to", required = true, paramLabel = "FILE.gguf", description = "The GGUF file to write.")
    Path to;

    @Option(names = "--type", defaultValue = "q8_0", paramLabel = "f32|f16|q8_0|q4_0",
            description = "Weight type (default: ${DEFAULT-VALUE}).")
    String type;

    @Override
    public Integer call() {
        GgufType t = GgufType.parse(type);
        HubModels.Builder hub = HubModels.builder().listener(new ProgressBar(System.err));
        if (offline) {
            hub.offline(true);
        }
        Path dir = hub.build().locate(model, revision);
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        ConversionReport r = GgufConverter.convert(dir, to, t, (tensor, done, total) -> {
            double s = (System.nanoTime() - start) / 1e9;
            System.err.print("\r" + ProgressBar.line("convert " + to.getFileName(), done, total, s > 0 ? done / s : 0));
            System.err.flush();
        });
        System.err.println();
        out.printf("wrote %s: %d tensors, %.1f MB, %s%n", r.file(), r.tensors(), r.bytes() / 1e6, r.type());
        for (String k : r.keptHigher()) {
            out.println("  kept higher: " + k);
        }
        out.flush();
        return 0;
    }
}
