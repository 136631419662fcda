package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.bench.EngineBench;
import dev.asclepius.core.internal.bench.TokenizerBench;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius bench}: greedy prefill and decode speed against floors measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark greedy generation: prefill and decode tok/s, ratios to the bandwidth and matmul floors, peak RSS.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--prompt-tokens", defaultValue = "128", paramLabel = "N", description = "Length of a synthetic prompt (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--prompt-ids-file", paramLabel = "FILE", description = "Prompt token ids (whitespace/comma separated) instead of a synthetic prompt.")
    Path promptIdsFile;

    @Option(names = "--new-tokens", defaultValue = "64", paramLabel = "M",
            description = "Tokens generated per timed run (default: ${DEFAULT-VALUE}; at least 2: the first comes from the prompt pass).")
    int newTokens;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "W",
            description = "Untimed runs first, to warm caches and PyTorch (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "5", paramLabel = "R",
            description = "Timed runs; the report gives their median (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--soak", paramLabel = "N", description = "Instead of timing, run N short generations (alternating "
            + "greedy and seeded sampling) and report resident memory every N/10 and its growth, plus the engine's "
            + "live native arrays before and after: a leak check.")
    Integer soak;

    @Option(names = "--batch", split = ",", paramLabel = "B[,B...]",
            description = "Instead of the single-sequence report, time greedy decoding of B copies of the prompt together "
                    + "(LocalModel.generateBatch) for each B, e.g. --batch 1,2,4,8: generated tokens/s of all sequences.")
    int[] batch;

    @Option(names = "--shared-prefix", description = "Instead of the single-sequence report, time AsclepiusClient.analyze "
            + "(all 8 tasks on one note, questions generated together with the note computed once) against the same "
            + "questions run one by one without reuse (prefix cache off), and, for reference, one by one with the "
            + "prefix cache; the note is the demo note repeated to about --prompt-tokens tokens.")
    boolean sharedPrefix;

    @Option(names = "--floor-attempts", defaultValue = "3", paramLabel = "N",
            description = "Measurement rounds (the timed runs with their bandwidth floors) before decode/floor is "
                    + "reported as unstable: a round is measured again when its ratio is below 1 or its floors spread "
                    + "more than --max-floor-spread (default: ${DEFAULT-VALUE}).")
    int floorAttempts;

    @Option(names = "--max-floor-spread", defaultValue = "0.10", paramLabel = "F",
            description = "Largest accepted (max - min) / median of one round's floors (default: ${DEFAULT-VALUE}).")
    double maxFloorSpread;

    @Option(names = "--compare-gguf", paramLabel = "FILE", description = "After timing the DJL engine, time this GGUF "
            + "model on llama.cpp with the same prompt, new tokens, runs and --threads in the same process, and print "
            + "the engine's prefill and decode as a share of llama.cpp's (e.g. the F32 file `convert` wrote from --model).")
    Path compareGguf;

    @Option(names = "--soak-new-tokens", defaultValue = "4", paramLabel = "K",
            description = "New tokens per soak generation (default: ${DEFAULT-VALUE}).")
    int soakNewTokens;

    @Option(names = "--tokenizer", description = "Instead of the engine report, time the model folder's tokenizer "
            + "(encoding a ~2000-token note) and the streaming decoder (per generated token), without loading the weights.")
    boolean tokenizer;

    @Override
    public Integer call() throws IOException {
        if (promptIdsFile != null) {
            readIds(promptIdsFile);   // a missing or malformed file is reported before the model loads
        }
        if (tokenizer) {
            return tokenizerBench();
        }
        if (soak != null) {
            return soak();
        }
        if (batch != null) {
            return batches();
        }
        if (sharedPrefix) {
            return sharedPrefix();
        }
        if (repeat < 1 || warmup < 0 || newTokens < 2) {
            throw new InvalidInputException("--repeat must be >= 1, --warmup >= 0 and --new-tokens >= 2.");
        }
        if (floorAttempts < 1 || !(maxFloorSpread > 0)) {
            throw new InvalidInputException("--floor-attempts must be >= 1 and --max-floor-spread > 0, got "
                    + floorAttempts + " and " + maxFloorSpread + ".");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (modelOptions.gguf()) {
            return ggufBench(out);
        }
        if (compareGguf != null && !Files.isRegularFile(compareGguf)) {
            throw new InvalidInputException("--compare-gguf " + compareGguf + " is not a file: write one with "
                    + "`asclepius convert --model <folder> --to <file>.gguf --type f32`.");
        }
        EngineBench.Report r;
        int[] prompt;
        try (LocalModel model = modelOptions.load()) {
            prompt = promptIdsFile != null ? readIds(promptIdsFile) : syntheticPrompt(promptTokens, model.info().vocabSize()
                    .orElseThrow(() -> new InvalidInputException("The model's vocabulary size is unknown (a remote model "
                            + "without a local tokenizer): pass --prompt-ids-file")));
            int threads = PyTorchRuntime.threads();
            int decodeThreads = modelOptions.decodeThreads != null ? modelOptions.decodeThreads : threads;
            r = EngineBench.run(model, prompt, newTokens, warmup, repeat, threads, decodeThreads,
                    floorAttempts, maxFloorSpread);
        }
        if (!json) {   // printed before llama.cpp runs: its numbers stand even if the comparison fails
            BenchText.print(out, modelOptions.model, r, warmup, repeat, floorAttempts);
            out.flush();
        }
        LlamaCppBench.Result c = null;
        if (compareGguf != null) {
            ModelRequest request = new ModelRequest(compareGguf.toString(), Optional.empty(), Optional.empty(),
                    OptionalInt.of(r.threads()), OptionalInt.empty(), OptionalInt.empty(), HubModels.fromEnvironment());
            try (LanguageModel gguf = ModelProviders.openGguf(request)) {
                c = LlamaCppBench.run(gguf, prompt, newTokens, warmup, repeat);
            }
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("engine", r);
            if (c != null) {
                o.put("llamacpp", c);
            }
            out.println(c == null ? Json.GSON.toJson(r) : Json.GSON.toJson(o));
        } else if (c != null) {
            BenchText.printComparison(out, compareGguf, r, c);
        }
        return 0;
    }

    private int tokenizerBench() {
        if (modelOptions.gguf()) {
            throw new InvalidInputException("--tokenizer times the Hugging Face tokenizer of a model folder, not a GGUF file");
        }
        PrintWriter out = spec.commandLine().getOut();
        TokenizerBench.Report r = TokenizerBench.run(modelOptions.folder(), warmup, repeat);
        if (json) {
            out.println(Json.GSON.toJson(r));
        } else {
            out.printf("encode           %.3f ms for a %d-token note (median of %d)%n", r.encodeMillis(), r.encodeTokens(), repeat);
            out.printf("streaming decode %.1f us per token over %d tokens%n", r.decodeMicrosPerToken(), r.decodeTokens());
        }
        return 0;
    }

    private int batches() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (LocalModel model = modelOptions.load()) {
            int[] prompt = promptIdsFile != null ? readIds(promptIdsFile) : syntheticPrompt(promptTokens, model.info().vocabSize().orElseThrow());
            java.util.List<EngineBench.BatchReport> reports = new java.util.ArrayList<>();
            for (int b : batch) {
                if (b < 1) {
                    throw new InvalidInputException("--batch sizes must be >= 1, got " + b);
                }
                EngineBench.BatchReport r = EngineBench.batch(model, prompt, newTokens, b, warmup, repeat);
                reports.add(r);
                if (!json) {
                    double base = reports.get(0).decodeTokensPerSecond() / reports.get(0).batch();
                    out.printf("batch %-3d prefill %.3f s, decode %.2f ms/step, %.1f tok/s (%.2fx batch-1 per-sequence rate), peak RSS %.0f MB%n",
                            r.batch(), r.prefillSeconds(), r.decodeSecondsPerStep() * 1e3, r.decodeTokensPerSecond(),
                            r.decodeTokensPerSecond() / base, r.peakRssBytes() / 1e6);
                    out.flush();
                }
            }
            if (json) {
                out.println(Json.GSON.toJson(reports));
            }
        }
        return 0;
    }

    private int sharedPrefix() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (LocalModel model = modelOptions.load();
             dev.asclepius.tasks.AsclepiusClient client = dev.asclepius.tasks.AsclepiusClient.builder().model(model)
                     .generation(dev.asclepius.core.GenerationConfig.builder().maxNewTokens(newTokens).ignoreEos(true).build())
                     .build()) {
            StringBuilder text = new StringBuilder();
            while (model.tokenizer().orElseThrow().encode(text.toString()).length < promptTokens) {
                text.append(DemoCommand.NOTE).append("\n");
            }
            dev.asclepius.tasks.ClinicalNote note = dev.asclepius.tasks.ClinicalNote.of(text.toString());
            java.util.Set<dev.asclepius.tasks.Task> all = java.util.EnumSet.allOf(dev.asclepius.tasks.Task.class);
            java.util.List<String> question = java.util.List.of("What follow-up is planned?");
            double[] shared = new double[repeat];
            double[] separate = new double[repeat];
            double[] separateCached = new double[repeat];
            int questions = 0;
            for (int r = -warmup; r < repeat; r++) {
                long t = System.nanoTime();
                dev.asclepius.tasks.Analysis analysis = client.analyze(note, all, question);
                double a = (System.nanoTime() - t) / 1e9;
                // The baseline: every question computes the whole prompt (no prefix cache).
                model.prefixCache(false);
                double b = oneByOne(client, note, question.get(0));
                model.prefixCache(true);
                // For reference: the same calls with the prefix cache (the note computed by the first call only).
                double c = oneByOne(client, note, question.get(0));
                if (r >= 0) {
                    shared[r] = a;
                    separate[r] = b;
                    separateCached[r] = c;
                }
                questions = analysis.all().stream().mapToInt(x -> x.exchanges().size()).sum();
            }
            double s = dev.asclepius.core.internal.bench.MatmulFloor.median(shared);
            double o = dev.asclepius.core.internal.bench.MatmulFloor.median(separate);
            double oc = dev.asclepius.core.internal.bench.MatmulFloor.median(separateCached);
            int noteTokens = model.tokenizer().orElseThrow().encode(text.toString()).length;
            if (json) {
                out.println(Json.GSON.toJson(java.util.Map.of("note_tokens", noteTokens, "questions", questions,
                        "new_tokens", newTokens, "analyze_seconds", s, "one_by_one_seconds", o,
                        "one_by_one_prefix_cache_seconds", oc, "ratio", s / o)));
            } else {
                out.printf("note %d tokens, %d questions (8 tasks), %d new tokens each, %d warmup + %d timed runs (medians)%n",
                        noteTokens, questions, newTokens, warmup, repeat);
                out.printf("analyze (shared prefix, batched)  %.2f s%n", s);
                out.printf("one by one, no reuse               %.2f s%n", o);
                out.printf("ratio                              %.3f (%.1fx faster)%n", s / o, o / s);
                out.printf("one by one with the prefix cache   %.2f s (for reference)%n", oc);
            }
        }
        return 0;
    }

    /** Seconds to run the 8 task methods (12 questions) one after another. */
    private static double oneByOne(dev.asclepius.tasks.AsclepiusClient client, dev.asclepius.tasks.ClinicalNote note,
                                   String question) {
        long t = System.nanoTime();
        client.entities(note);
        client.abbreviations(note);
        client.relations(note);
        client.timeline(note);
        client.coreferences(note);
        client.paraphrase(note);
        client.summarize(note);
        client.ask(note, question);
        return (System.nanoTime() - t) / 1e9;
    }

    private int soak() throws IOException {
        if (soak < 1 || soakNewTokens < 1) {
            throw new InvalidInputException("--soak and --soak-new-tokens must be >= 1.");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LocalModel model = modelOptions.load()) {
            int[] prompt = promptIdsFile != null ? readIds(promptIdsFile) : syntheticPrompt(promptTokens, model.info().vocabSize().orElseThrow());
            int every = Math.max(1, soak / 10);
            List<Map<String, Object>> samples = new ArrayList<>();
            if (!json) {
                out.printf("soak             %d generations x %d new tokens, prompt %d tokens, alternating greedy / seeded sampling, %d threads%n",
                        soak, soakNewTokens, prompt.length, PyTorchRuntime.threads());
                out.flush();
            }
            EngineBench.SoakReport r = EngineBench.soak(model, prompt, soak, soakNewTokens, done -> {
                if (done % every == 0 || done == soak) {
                    long rss = EngineBench.rssBytes();
                    int arrays = EngineBench.managedArrays(model);
                    long heap = Runtime.getRuntime().totalMemory();
                    Map<String, Object> sample = new LinkedHashMap<>();
                    sample.put("generations", done);
                    sample.put("rssBytes", rss);
                    sample.put("heapCommittedBytes", heap);
                    sample.put("managedArrays", arrays);
                    samples.add(sample);
                    if (!json) {
                        out.printf("rss %9d gen  %8.1f MB  native arrays %d  (Java heap committed %.1f MB)%n",
                                done, rss / 1e6, arrays, heap / 1e6);
                        out.flush();
                    }
                }
            });
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("report", r);
                o.put("samples", samples);
                out.println(Json.GSON.toJson(o));
            } else {
                out.printf("rss before       %.1f MB (after 2 untimed warm-up generations)%n", r.rssBeforeBytes() / 1e6);
                out.printf("rss after        %.1f MB%n", r.rssAfterBytes() / 1e6);
                out.printf("rss growth       %+.1f MB over %d generations (%+.1f KB/generation)%n",
                        r.rssGrowthBytes() / 1e6, r.generations(), r.rssGrowthBytes() / 1e3 / r.generations());
                out.printf("native arrays    %d before, %d after%n", r.managedArraysBefore(), r.managedArraysAfter());
                out.printf("java heap        %.1f -> %.1f MB committed (part of the RSS)%n",
                        r.heapCommittedBeforeBytes() / 1e6, r.heapCommittedAfterBytes() / 1e6);
                out.printf("throughput       %.1f generations/s (%.1f s)%n", r.generationsPerSecond(), r.seconds());
                out.printf("peak RSS         %.0f MB%n", r.peakRssBytes() / 1e6);
            }
        }
        return 0;
    }

    /** BOS then deterministic ids away from the special tokens. */
    static int[] syntheticPrompt(int length, int vocab) {
        if (length < 1) {
            throw new InvalidInputException("--prompt-tokens must be >= 1");
        }
        SplittableRandom random = new SplittableRandom(1234);
        int[] ids = new int[length];
        ids[0] = 1;
        for (int i = 1; i < length; i++) {
            ids[i] = 3 + random.nextInt(vocab - 3);
        }
        return ids;
    }

    static int[] readIds(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        try {
            return Arrays.stream(text.split("[\\s,\\[\\]]+")).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new InvalidInputException(file + " must hold integer token ids separated by spaces or commas: " + e.getMessage());
        }
    }

    /** The llama.cpp backend's numbers on the same synthetic prompt (see {@link LlamaCppBench}). */
    private int ggufBench(PrintWriter out) throws IOException {
        try (dev.asclepius.core.LanguageModel model = modelOptions.loadAny()) {
            int[] prompt = promptIdsFile != null ? readIds(promptIdsFile) : syntheticPrompt(promptTokens, model.info().vocabSize()
                    .orElseThrow(() -> new InvalidInputException("The model's vocabulary size is unknown (a remote model "
                            + "without a local tokenizer): pass --prompt-ids-file")));
            LlamaCppBench.Result r = LlamaCppBench.run(model, prompt, newTokens, warmup, repeat);
            if (json) {
                com.google.gson.JsonObject o = Json.GSON.toJsonTree(r).getAsJsonObject();
                o.addProperty("backend", "llama.cpp");
                o.addProperty("model", modelOptions.model);
                out.println(Json.GSON.toJson(o));
            } else {
                out.printf("model            %s (llama.cpp, %s threads)%n", modelOptions.model,
                        modelOptions.threads == null ? "all" : modelOptions.threads.toString());
                out.printf("prompt           %d tokens, %d new tokens, %d warmup + %d timed runs (medians)%n",
                        prompt.length, newTokens, warmup, repeat);
                out.printf("prefill          %.1f tok/s%n", r.prefillTokensPerSecond());
                out.printf("decode           %.1f tok/s%n", r.decodeTokensPerSecond());
                out.printf("resident memory  %.0f MB%n", r.residentBytes() / 1e6);
            }
            out.flush();
        }
        return 0;
    }

    /** VmRSS of this process (Linux), or -1 where /proc is absent. */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
