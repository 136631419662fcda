package dev.asclepius.cli;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The llama.cpp backend timed on a prompt: prefill tok/s from the time to the first token, decode tok/s over
 * the later tokens (medians of the timed runs), and the process's resident memory after them. llama.cpp's
 * matmuls are not reachable from Java, so there are no floors here; {@code bench} sets these numbers beside
 * the DJL engine's and the machine's floors.
 */
final class LlamaCppBench {
    private LlamaCppBench() {
    }

    record Result(int promptTokens, int newTokens, double prefillTokensPerSecond, double decodeTokensPerSecond,
                  long residentBytes) {
    }

    static Result run(LanguageModel model, int[] prompt, int newTokens, int warmup, int repeat) {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(newTokens).ignoreEos(true).build();
        // the backend keeps the last prompt's cache; vary the first token after BOS so every run computes its prompt
        List<Double> prefill = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        for (int i = 0; i < warmup + repeat; i++) {
            int[] p = prompt.clone();
            if (p.length > 1) {
                p[1] = 1000 + i;
            }
            GenerationResult r = model.generate(p, config);
            if (i >= warmup) {
                prefill.add(p.length / (r.prefillTime().toNanos() / 1e9));
                decode.add(r.decodeTokensPerSecond());
            }
        }
        return new Result(prompt.length, newTokens, median(prefill), median(decode), BenchCommand.residentBytes());
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
