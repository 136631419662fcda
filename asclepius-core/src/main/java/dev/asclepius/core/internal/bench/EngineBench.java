package dev.asclepius.core.internal.bench;

import ai.djl.ndarray.NDArray;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.model.LlamaModel;
import dev.asclepius.core.internal.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Greedy generation timed in one JVM against the floors measured in the same run: decode against the
 * memory-bandwidth floor of streaming the weights once, prefill against the matmul throughput of the
 * model's own matrices at the prompt's shape. Ratios to physical floors hold across noisy machines.
 */
public final class EngineBench {
    private EngineBench() {
    }

    /**
     * What one benchmark run measured. Times in seconds, medians over the repeats; decodeToFloorRatio is the
     * median of per-run paired ratios (see {@link #run}). When {@code floorStable} is false the ratio and the
     * overhead are noise (see {@link FloorCheck}): {@code floorNote} says why, and they must not be reported.
     *
     * @param floorSpread   (max - min) / median of the floors of the reported round
     * @param floorAttempts measurement rounds run (1 when the first was stable)
     */
    public record Report(
            int promptTokens,
            int newTokens,
            int decodeSteps,
            int threads,
            int decodeThreads,
            String device,
            String dtype,
            double prefillSeconds,
            double prefillTokensPerSecond,
            double decodeSecondsPerToken,
            double decodeTokensPerSecond,
            long weightBytesPerToken,
            double bandwidthFloorSecondsPerToken,
            double decodeToFloorRatio,
            double bandwidthFloorGBps,
            double prefillGflops,
            double matmulGflops,
            double prefillEfficiency,
            double overheadMicrosPerToken,
            int opsPerToken,
            double overheadMicrosPerOp,
            long peakRssBytes,
            List<Integer> generatedIds,
            boolean floorStable,
            double floorSpread,
            double floorMinSeconds,
            double floorMaxSeconds,
            int floorAttempts,
            String floorNote,
            String kernels,
            MachineFloor.Result machine,
            double decodeToMachineFloor,
            double prefillToMachineGemm,
            double decodeKernelFloorSecondsPerToken) {
    }

    /** {@link #run(LocalModel, int[], int, int, int, int, int, int, double)} with the default floor checks. */
    public static Report run(LocalModel model, int[] prompt, int newTokens, int warmup, int repeat, int threads,
                             int decodeThreads) {
        return run(model, prompt, newTokens, warmup, repeat, threads, decodeThreads, FloorCheck.DEFAULT_ATTEMPTS,
                FloorCheck.DEFAULT_MAX_SPREAD);
    }

    /** The timed part of one measurement round. */
    private record Timings(double[] prefill, double[] steps, double[] floors, double[] matmuls, GenerationResult last) {
    }

    /**
     * Runs {@code warmup} untimed generations, then rounds of {@code repeat} timed ones, with the prefix cache off
     * (it stays off for this model). In each round the bandwidth floor is measured before the first timed run and
     * after each one, and decode/floor is the median over runs of each run's median step against the mean of the
     * two floors next to it, so a burst of noise on a shared machine hits both sides of a ratio alike. A round
     * whose ratio is below 1 or whose floors spread more than {@code maxFloorSpread} is measured again, up to
     * {@code floorAttempts} rounds ({@link FloorCheck}); the report says whether the last one was stable. Every
     * other figure is a median too (decode time: over all individual steps of the round's runs, timed between
     * streamed tokens).
     */
    public static Report run(LocalModel model, int[] prompt, int newTokens, int warmup, int repeat, int threads,
                             int decodeThreads, int floorAttempts, double maxFloorSpread) {
        // Every timed run must compute its whole prompt: the same prompt again would come from the prefix cache.
        model.prefixCache(false);
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(newTokens).ignoreEos(true).build();
        for (int i = 0; i < warmup; i++) {
            model.generate(prompt, greedy);
        }
        EngineHandle handle = EngineHandle.of(model);
        LlamaModel engine = handle.engine();
        ModelConfig config = engine.config();
        List<NDArray> decodeMatrices = engine.decodeMatrices();
        List<NDArray> layerMatrices = new ArrayList<>(decodeMatrices.subList(0, decodeMatrices.size() - 1));
        int n = prompt.length;
        var scheduler = handle.scheduler();
        int[] round = {0};

        FloorCheck.Outcome<Timings> outcome = FloorCheck.untilStable(() -> {
            double[] prefill = new double[repeat];
            double[] steps = new double[repeat * (newTokens - 1)];
            double[] floors = new double[repeat + 1];    // before the first run, then after each run
            double[] ratios = new double[repeat];        // each run's median step over the floors either side of it
            double[] matmuls = new double[repeat];
            int stepCount = 0;
            GenerationResult last = null;
            floors[0] = bandwidthFloor(scheduler, engine.manager(), decodeMatrices, threads, decodeThreads);
            for (int r = 0; r < repeat; r++) {
                long[] stamps = new long[newTokens];
                int[] seen = {0};
                last = model.generate(prompt, greedy, (delta, id) -> stamps[seen[0]++] = System.nanoTime());
                prefill[r] = last.prefillTime().toNanos() / 1e9;
                int runStart = stepCount;
                for (int i = 1; i < seen[0]; i++) {
                    steps[stepCount++] = (stamps[i] - stamps[i - 1]) / 1e9;
                }
                floors[r + 1] = bandwidthFloor(scheduler, engine.manager(), decodeMatrices, threads, decodeThreads);
                // Paired: a burst of load from a neighbour on a shared machine slows a run and the floors next to it.
                double runMedian = MatmulFloor.median(java.util.Arrays.copyOfRange(steps, runStart, stepCount));
                ratios[r] = runMedian / ((floors[r] + floors[r + 1]) / 2);
                if (Boolean.getBoolean("asclepius.bench.debug")) {
                    System.err.printf("round %d run %d: median step %.2f ms, floors %.2f / %.2f ms, ratio %.3f%n",
                            round[0] + 1, r, runMedian * 1e3, floors[r] * 1e3, floors[r + 1] * 1e3, ratios[r]);
                }
                matmuls[r] = scheduler.callWithThreads(threads,
                        () -> MatmulFloor.sweepSeconds(engine.manager(), layerMatrices, n, 2));
            }
            round[0]++;
            Timings t = new Timings(prefill, java.util.Arrays.copyOf(steps, stepCount), floors, matmuls, last);
            return new FloorCheck.Round<>(t, floors, ratios);
        }, floorAttempts, maxFloorSpread);

        Timings t = outcome.value();
        FloorCheck.Verdict verdict = outcome.verdict();
        GenerationResult last = t.last();
        double prefillMedian = MatmulFloor.median(t.prefill());
        double decodeMedian = MatmulFloor.median(t.steps());
        double floor = MatmulFloor.median(t.floors());
        double matmul = MatmulFloor.median(t.matmuls());

        double attentionFlops = 4.0 * config.layers() * config.heads() * config.headDim() * (n * (n + 1) / 2.0);
        double prefillFlops = MatmulFloor.flops(layerMatrices, n) + attentionFlops
                + MatmulFloor.flops(List.of(decodeMatrices.get(decodeMatrices.size() - 1)), 1);
        double matmulGflops = MatmulFloor.flops(layerMatrices, n) / matmul / 1e9;
        double prefillGflops = prefillFlops / prefillMedian / 1e9;
        long bytes = MatmulFloor.bytes(decodeMatrices);
        // The machine's floors, once after the timed rounds (threads = the prompt's count, the cores given).
        MachineFloor.Result machine;
        try (MachineFloor mf = new MachineFloor(threads)) {
            machine = scheduler.callWithThreads(threads, () -> mf.measure(engine.manager(), decodeMatrices, 5));
        }
        // The decode matrices streamed through the decode kernel in use (the row split when on): separates the
        // kernel's own rate from the rest of a decode step.
        double kernelFloor = scheduler.callWithThreads(decodeThreads,
                () -> MatmulFloor.sweepSeconds(engine.manager(), decodeMatrices, 1, 10, engine::decodeProduct));
        double overheadMicros = (decodeMedian - floor) * 1e6;
        int ops = engine.opsPerDecodeStep();
        return new Report(n, newTokens, last.decodeSteps(), threads, decodeThreads, model.info().device().orElseThrow().toString(),
                model.info().computeType().orElseThrow().toString(), prefillMedian, n / prefillMedian, decodeMedian,
                1 / decodeMedian, bytes, floor, verdict.ratio(), bytes / floor / 1e9, prefillGflops, matmulGflops,
                prefillGflops / matmulGflops, overheadMicros, ops, overheadMicros / ops, peakRssBytes(), last.tokenIds(),
                verdict.stable(), verdict.spread(), verdict.minFloorSeconds(), verdict.maxFloorSeconds(),
                outcome.attempts(), verdict.reason(), engine.kernels().describe(), machine,
                decodeMedian / machine.streamSeconds(), prefillGflops / machine.gemmGflops(), kernelFloor);
    }

    /**
     * Seconds to stream the decode matrices once with one-row inputs, on the generation thread like the decode
     * it is compared with (one OpenMP team in play). With a separate decode thread count it is the faster of
     * the two counts, so a decode-thread choice cannot flatter the ratio.
     */
    private static double bandwidthFloor(dev.asclepius.core.internal.generate.Scheduler scheduler,
                                         ai.djl.ndarray.NDManager manager, List<NDArray> matrices, int threads,
                                         int decodeThreads) {
        double floor = scheduler.callWithThreads(decodeThreads, () -> MatmulFloor.sweepSeconds(manager, matrices, 1, 10));
        if (decodeThreads != threads) {
            floor = Math.min(floor, scheduler.callWithThreads(threads,
                    () -> MatmulFloor.sweepSeconds(manager, matrices, 1, 10)));
        }
        return floor;
    }

    /**
     * What a soak run measured: resident memory and the engine's live native arrays before and after many
     * short generations. RSS includes the Java heap, so some growth is the JVM growing its heap (compare the
     * committed heap before and after); a leak of native arrays shows in {@code managedArraysAfter > managedArraysBefore}.
     */
    public record SoakReport(
            int generations,
            int newTokensEach,
            int promptTokens,
            int threads,
            long rssBeforeBytes,
            long rssAfterBytes,
            long rssGrowthBytes,
            int managedArraysBefore,
            int managedArraysAfter,
            long heapCommittedBeforeBytes,
            long heapCommittedAfterBytes,
            double seconds,
            double generationsPerSecond,
            long peakRssBytes) {
    }

    /**
     * Runs {@code generations} short generations of {@code newTokens} tokens each (EOS ignored, so every one
     * does the same work), alternating greedy decoding and seeded sampling (temperature 0.8, top-k 40, seed =
     * the generation's index). One greedy and one sampled generation run first, untimed, so the "before"
     * figures are taken after the allocators and the JIT have warmed up. {@code progress} is called once the
     * "before" figures are taken (with 0), then after every generation with the number done so far
     * (1..generations), on the calling thread; the time it takes counts in the throughput.
     */
    public static SoakReport soak(LocalModel model, int[] prompt, int generations, int newTokens, IntConsumer progress) {
        if (generations < 1 || newTokens < 1) {
            throw new IllegalArgumentException("generations and newTokens must be >= 1");
        }
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(newTokens).ignoreEos(true).build();
        GenerationConfig sampled = greedy.toBuilder().temperature(0.8f).topK(40).build();
        model.generate(prompt, greedy);
        model.generate(prompt, sampled.toBuilder().seed(-1).build());
        int arraysBefore = managedArrays(model);
        long rssBefore = rssBytes();
        long heapBefore = Runtime.getRuntime().totalMemory();
        progress.accept(0);
        long started = System.nanoTime();
        for (int i = 0; i < generations; i++) {
            model.generate(prompt, i % 2 == 0 ? greedy : sampled.toBuilder().seed(i).build());
            progress.accept(i + 1);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long rssAfter = rssBytes();
        long heapAfter = Runtime.getRuntime().totalMemory();
        int arraysAfter = managedArrays(model);
        return new SoakReport(generations, newTokens, prompt.length, PyTorchRuntime.threads(),
                rssBefore, rssAfter, rssAfter - rssBefore, arraysBefore, arraysAfter, heapBefore, heapAfter, seconds, generations / seconds,
                peakRssBytes());
    }

    /** The number of native arrays the engine behind {@code model} holds now (weights, caches, leaks). */
    public static int managedArrays(LocalModel model) {
        try {
            model.awaitIdle(java.time.Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return model.stats().nativeArrays();
    }

    /** Decode throughput of one batch size: every sequence's generated tokens per second of decode. */
    public record BatchReport(int batch, int promptTokens, int newTokens, double prefillSeconds,
                              double decodeSecondsPerStep, double decodeTokensPerSecond, long peakRssBytes) {
    }

    /**
     * Greedy generation of {@code batch} copies of {@code prompt} together ({@link LocalModel#generateBatch}),
     * medians over {@code repeat} runs after {@code warmup}.
     */
    public static BatchReport batch(LocalModel model, int[] prompt, int newTokens, int batch, int warmup, int repeat) {
        model.prefixCache(false);   // each run computes its prompt (once per batch)
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(newTokens).ignoreEos(true).build();
        List<int[]> prompts = java.util.Collections.nCopies(batch, prompt);
        for (int i = 0; i < warmup; i++) {
            model.generateBatch(prompts, greedy);
        }
        double[] prefill = new double[repeat];
        double[] step = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            GenerationResult first = model.generateBatch(prompts, greedy).get(0);
            prefill[r] = first.prefillTime().toNanos() / 1e9;
            step[r] = first.decodeTime().toNanos() / 1e9 / Math.max(1, first.decodeSteps());
        }
        double stepMedian = MatmulFloor.median(step);
        return new BatchReport(batch, prompt.length, newTokens, MatmulFloor.median(prefill), stepMedian,
                batch / stepMedian, peakRssBytes());
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is not available. */
    public static long peakRssBytes() {
        return procStatus("VmHWM:");
    }

    /** Current resident set size of this process (VmRSS), or -1 where /proc is not available. */
    public static long rssBytes() {
        return procStatus("VmRSS:");
    }

    private static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
