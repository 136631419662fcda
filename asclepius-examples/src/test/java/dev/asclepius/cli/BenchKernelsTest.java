package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} with the machine's floors, the optional CPU kernels and llama.cpp on the same prompt
 * ({@code --compare-gguf}), on a small random model and its F32 GGUF.
 */
class BenchKernelsTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path gguf;

    @BeforeAll
    static void writeModelAndGguf() {
        model = tmp.resolve("model");
        RandomModelWriter.write(model, new RandomModelSpec("llama", 32000, 64, 192, 2, 4, 4, 2048, false,
                StorageType.F32, 17, 0));
        gguf = tmp.resolve("model.f32.gguf");
        Cli cli = Cli.run("convert", "--model", model.toString(), "--to", gguf.toString(), "--type", "f32");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
    }

    private static JsonObject bench(String... extra) {
        String[] base = {"bench", "--model", model.toString(), "--prompt-tokens", "24", "--new-tokens", "6",
                "--warmup", "0", "--repeat", "1", "--floor-attempts", "1", "--threads", "2", "--json"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Cli cli = Cli.run(args);
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        return JsonParser.parseString(cli.out()).getAsJsonObject();
    }

    @Test
    void theTunedKernelsGenerateTheDefaultIdsAndLlamaCppRunsBesideThem() {
        JsonObject plain;
        String splitBefore = System.getProperty("asclepius.cpu.decodeSplit");
        try {
            System.setProperty("asclepius.cpu.decodeSplit", "1");   // one OpenMP-threaded op per product
            plain = bench();
        } finally {
            restore("asclepius.cpu.decodeSplit", splitBefore);
        }
        assertThat(plain.get("kernels").getAsString()).contains("mkl").contains("one op");
        assertThat(plain.get("decodeKernelFloorSecondsPerToken").getAsDouble()).isPositive().isFinite();
        JsonObject auto = bench();
        assertThat(auto.get("kernels").getAsString()).as("default at 2 decode threads: the row split")
                .contains("2 Java threads");
        assertThat(auto.get("generatedIds")).isEqualTo(plain.get("generatedIds"));
        JsonObject machine = plain.getAsJsonObject("machine");
        for (String key : new String[] {"torchStreamGBps", "javaStreamGBps", "mklGemmGflops", "onednnGemmGflops"}) {
            assertThat(machine.get(key).getAsDouble()).as(key).isPositive().isFinite();
        }
        assertThat(machine.get("threads").getAsInt()).isEqualTo(2);
        assertThat(machine.get("bytes").getAsLong()).isEqualTo(plain.get("weightBytesPerToken").getAsLong());
        assertThat(plain.get("decodeToMachineFloor").getAsDouble()).isPositive();

        JsonObject both;
        String prefill = System.getProperty("asclepius.cpu.prefillKernel");
        String split = System.getProperty("asclepius.cpu.decodeSplit");
        try {
            System.setProperty("asclepius.cpu.prefillKernel", "onednn");
            System.setProperty("asclepius.cpu.decodeSplit", "2");
            both = bench("--compare-gguf", gguf.toString());
        } finally {
            restore("asclepius.cpu.prefillKernel", prefill);
            restore("asclepius.cpu.decodeSplit", split);
        }
        JsonObject tuned = both.getAsJsonObject("engine");
        assertThat(tuned.get("kernels").getAsString()).contains("onednn").contains("2 Java threads");
        assertThat(tuned.get("generatedIds")).as("greedy ids with oneDNN prompts and split decode")
                .isEqualTo(plain.get("generatedIds"));
        JsonObject cpp = both.getAsJsonObject("llamacpp");
        assertThat(cpp.get("promptTokens").getAsInt()).isEqualTo(24);
        assertThat(cpp.get("prefillTokensPerSecond").getAsDouble()).isPositive();
        assertThat(cpp.get("decodeTokensPerSecond").getAsDouble()).isPositive();
    }

    @Test
    void aMissingComparisonFileIsRefusedBeforeTheModelLoads() {
        Cli cli = Cli.run("bench", "--model", model.toString(), "--compare-gguf", tmp.resolve("none.gguf").toString());
        assertThat(cli.exitCode()).isNotZero();
        assertThat(cli.err()).contains("--compare-gguf").contains("is not a file").contains("convert");
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
