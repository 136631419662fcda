package dev.asclepius.cli;

import dev.asclepius.core.internal.bench.EngineBench;
import dev.asclepius.core.internal.bench.MachineFloor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** The text form of {@code bench}'s single-sequence report. */
final class BenchText {
    private BenchText() {
    }

    static void print(PrintWriter out, String model, EngineBench.Report r, int warmup, int repeat, int floorAttempts) {
        out.printf("model            %s (%s, %s, %d threads, %d for decode)%n", model, r.device(), r.dtype(), r.threads(),
                r.decodeThreads());
        out.printf("kernels          %s%n", r.kernels());
        out.printf("prompt           %d tokens, %d new tokens, %d warmup + %d timed runs (medians)%n",
                r.promptTokens(), r.newTokens(), warmup, repeat);
        out.printf("prefill          %.1f tok/s  (%.3f s; %.1f GFLOP/s = %.0f%% of the same matmuls alone: %.1f GFLOP/s)%n",
                r.prefillTokensPerSecond(), r.prefillSeconds(), r.prefillGflops(), 100 * r.prefillEfficiency(), r.matmulGflops());
        out.printf("decode           %.2f tok/s  (%.2f ms/token)%n", r.decodeTokensPerSecond(), r.decodeSecondsPerToken() * 1e3);
        out.printf("bandwidth floor  %.2f ms/token to stream %.1f MB of weights once (%.1f GB/s; %d floors %.2f-%.2f ms, spread %.1f%%)%n",
                r.bandwidthFloorSecondsPerToken() * 1e3, r.weightBytesPerToken() / 1e6, r.bandwidthFloorGBps(),
                repeat + 1, r.floorMinSeconds() * 1e3, r.floorMaxSeconds() * 1e3, 100 * r.floorSpread());
        if (r.floorStable()) {
            out.printf("decode/floor     %.3f (%.0f%% of floor speed)%s%n", r.decodeToFloorRatio(),
                    100 / r.decodeToFloorRatio(), r.floorAttempts() > 1
                            ? String.format(Locale.ROOT, "; stable in measurement round %d of %d",
                            r.floorAttempts(), floorAttempts) : "");
            if (r.overheadMicrosPerToken() >= 0) {
                out.printf("overhead         %.0f us/token beyond the matmuls, %d native ops/token (%.2f us/op)%n",
                        r.overheadMicrosPerToken(), r.opsPerToken(), r.overheadMicrosPerOp());
            } else {
                // Median step under the median floor while the paired ratio is >= 1: within the floors' spread.
                out.printf("overhead         within the floors' spread (decode at the floor), %d native ops/token%n",
                        r.opsPerToken());
            }
        } else {
            // A ratio from an unstable floor looks like a result and is not one: say so instead.
            out.printf("decode/floor     UNSTABLE, not reported: after %d measurement rounds %s. Rerun when the machine is quieter "
                    + "(or raise --floor-attempts); the decode tok/s above stands on its own.%n", r.floorAttempts(), r.floorNote());
            out.printf("overhead         not reported (needs a stable floor); %d native ops/token%n", r.opsPerToken());
        }
        MachineFloor.Result m = r.machine();
        out.printf("machine stream   %.1f GB/s with %d Java threads x 1 intra-op thread (torch.sum per thread %.1f GB/s, "
                        + "Java long loop %.1f GB/s): %.2f ms/token for the same weights; torch-matmul floor / machine floor %.2f%n",
                m.streamGBps(), m.threads(), m.torchStreamGBps(), m.javaStreamGBps(), m.streamSeconds() * 1e3,
                r.bandwidthFloorSecondsPerToken() / m.streamSeconds());
        out.printf("machine gemm     %.1f GFLOP/s with %d Java threads x 1 (1024^3 each: MKL matmul %.1f, oneDNN 1x1 conv %.1f); "
                        + "prompt matmuls alone %.2f of it%n",
                m.gemmGflops(), m.threads(), m.mklGemmGflops(), m.onednnGemmGflops(), r.matmulGflops() / m.gemmGflops());
        out.printf("decode kernel    %.2f ms/token to stream the weights through the decode kernel in use (%.1f GB/s); "
                + "decode step / kernel %.2f%n", r.decodeKernelFloorSecondsPerToken() * 1e3,
                r.weightBytesPerToken() / r.decodeKernelFloorSecondsPerToken() / 1e9,
                r.decodeSecondsPerToken() / r.decodeKernelFloorSecondsPerToken());
        out.printf("vs machine       decode %.2f x the machine's stream time, prefill at %.2f of its GEMM rate%n",
                r.decodeToMachineFloor(), r.prefillToMachineGemm());
        out.printf("peak RSS         %.0f MB%n", r.peakRssBytes() / 1e6);
        out.printf("generated ids    %s%n", r.generatedIds());
    }

    static void printComparison(PrintWriter out, Path file, EngineBench.Report r, LlamaCppBench.Result c) {
        out.printf("llama.cpp        %s, %d threads, same prompt and runs: prefill %.1f tok/s, decode %.2f tok/s, resident %.0f MB%n",
                file, r.threads(), c.prefillTokensPerSecond(), c.decodeTokensPerSecond(), c.residentBytes() / 1e6);
        out.printf("engine/llama.cpp prefill %.2f, decode %.2f%n", r.prefillTokensPerSecond() / c.prefillTokensPerSecond(),
                r.decodeTokensPerSecond() / c.decodeTokensPerSecond());
        out.flush();
    }
}
