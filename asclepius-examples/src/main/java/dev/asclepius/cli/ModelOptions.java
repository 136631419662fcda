package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import java.util.Optional;
import java.util.OptionalInt;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LoadListener;
import dev.asclepius.core.LoadProgress;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.hub.HubModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options shared by the commands that load a model. */
final class ModelOptions {
    /** The command these options belong to (its error stream for load progress); null outside picocli. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

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

    /** Loads the model, printing its load progress to the command's error stream. */
    LocalModel load() {
        if (gguf()) {
            throw new InvalidInputException("This command option needs the DJL engine (a model folder or hub id),"
                    + " not a GGUF file");
        }
        LocalModel.Builder builder;
        try {
            builder = LocalModel.builder(folder()).device(Device.parse(device));
            if (dtype != null) {
                builder.computeType(ComputeType.parse(dtype));
            }
            if (threads != null) {
                builder.threads(threads);
            }
            if (decodeThreads != null) {
                builder.decodeThreads(decodeThreads);
            }
        } catch (InvalidInputException e) {
            if (command == null) {
                throw e;
            }
            throw new ParameterException(command.commandLine(), OptionErrors.withOptionNames(e.getMessage()), e);
        }
        if (command != null) {
            builder.loadListener(new ProgressPrinter(command.commandLine().getErr(), System.console() != null));
        }
        return builder.build();
    }

    /**
     * Load progress on stderr (stdout stays for results: --json output remains one JSON object). On a
     * terminal one line rewritten in place; otherwise (logs, pipes) a line at most every 5 seconds and the
     * last one. Loads under a second print only the last line.
     */
    static final class ProgressPrinter implements LoadListener {
        private static final long QUIET_NANOS = 1_000_000_000L;
        private static final long LOG_EVERY_NANOS = 5_000_000_000L;
        private final PrintWriter err;
        private final boolean terminal;
        private long lastPrinted = Long.MIN_VALUE;
        private boolean printedInPlace;

        ProgressPrinter(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void onProgress(LoadProgress p) {
            long elapsed = p.elapsed().toNanos();
            if (p.done()) {
                if (printedInPlace) {
                    err.print("\r\033[K");
                }
                err.println(p.describe());
            } else if (elapsed >= QUIET_NANOS && (terminal || lastPrinted == Long.MIN_VALUE
                    || elapsed - lastPrinted >= LOG_EVERY_NANOS)) {
                if (terminal) {
                    err.print("\r\033[K" + p.describe());
                    printedInPlace = true;
                } else {
                    err.println(p.describe());
                }
                lastPrinted = elapsed;
            }
            err.flush();
        }
    }
}
