package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** demo, generate, bench and random-model on a tiny random-weight model, run in-process. */
class ModelCommandsTest {
    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void writeTinyModel() {
        model = tmp.resolve("tiny");
        RandomModelWriter.write(model, RandomModelSpec.tiny());
    }

    @Test
    void demoSaysRandomWeightsAndFinishes() {
        Cli cli = Cli.run("demo", "--max-new-tokens", "4");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("RANDOM weights").contains("finish: ").contains("meaningless by design");
    }

    @Test
    void generateJsonHasTheResultFields() {
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt", "The patient was admitted with",
                "--max-new-tokens", "5", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.keySet()).contains("text", "token_ids", "prompt_tokens", "generated_tokens", "finish_reason",
                "prefill_seconds", "decode_seconds", "decode_steps");
        int generated = o.getAsJsonArray("token_ids").size();
        assertThat(o.get("generated_tokens").getAsInt()).isEqualTo(generated);
        assertThat(o.get("prompt_tokens").getAsInt()).isGreaterThan(1);
        assertThat(o.get("prefill_seconds").getAsDouble()).isPositive();
        if (o.get("finish_reason").getAsString().equals("max_tokens")) {
            assertThat(generated).isEqualTo(5);
            assertThat(o.get("decode_steps").getAsInt()).isEqualTo(4);
        } else {
            assertThat(generated).isBetween(1, 5);
        }
    }

    @Test
    void generateWithBeamsPrintsTheBestHypothesisOfTheLibrarysBeamSearch() {
        String prompt = "The patient was admitted with";
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt", prompt, "--max-new-tokens", "4",
                "--num-beams", "3", "--length-penalty", "0.5", "--early-stopping", "never", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        try (LocalModel local = LocalModel.load(model)) {
            var expected = local.beamSearch(local.tokenizer().orElseThrow().encode(prompt), dev.asclepius.core.GenerationConfig.builder()
                    .maxNewTokens(4).numBeams(3).lengthPenalty(0.5f).earlyStopping(dev.asclepius.core.EarlyStopping.NEVER)
                    .build()).best();
            assertThat(Json.GSON.fromJson(o.getAsJsonArray("token_ids"), int[].class))
                    .containsExactly(expected.tokenIds().stream().mapToInt(i -> i).toArray());
            assertThat(o.get("text").getAsString()).isEqualTo(expected.text());
        }
    }

    @Test
    void badBeamOptionsAreUsageErrorsNamingTheOption() {
        Cli early = Cli.run("generate", "--model", model.toString(), "--prompt", "x", "--num-beams", "2",
                "--early-stopping", "sometimes");
        assertThat(early.exitCode()).isEqualTo(2);
        assertThat(early.err()).contains("--early-stopping must be true, false or never");
        Cli zero = Cli.run("generate", "--model", model.toString(), "--prompt", "x", "--num-beams", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--num-beams must be between 1");
        Cli stop = Cli.run("generate", "--model", model.toString(), "--prompt", "x", "--num-beams", "2", "--stop", "###");
        assertThat(stop.exitCode()).isEqualTo(2);
        assertThat(stop.err()).contains("--stop values cannot be combined with beam search");
    }

    @Test
    void generateWritesTheLastPositionLogitsAsNpy() throws IOException {
        Path npy = tmp.resolve("out/logits.npy");
        String prompt = "Discharge diagnosis: pneumonia.";
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt", prompt, "--max-new-tokens", "1",
                "--json", "--logits-out", npy.toString());
        assertThat(cli.exitCode()).as(cli.toString()).isZero();

        float[] written = readFloat32Npy(npy);
        assertThat(written).hasSize(32000);
        try (LocalModel local = LocalModel.load(model)) {
            float[] expected = local.logits(local.tokenizer().orElseThrow().encode(prompt));
            for (int i = 0; i < expected.length; i++) {
                assertThat(written[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    void generateFromPromptIdsUsesThemAsGiven() {
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1, 15043 3186", "--max-new-tokens",
                "2", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.get("prompt_tokens").getAsInt()).isEqualTo(3);
    }

    @Test
    void modelTakesAHubIdAndOfflineNeverTouchesTheNetwork() {
        Cli cli = Cli.run("generate", "--model", "asclepius-test/No-Such-Model-7x", "--revision", "v0", "--offline",
                "--prompt", "x");
        assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: Offline").contains("asclepius-test/No-Such-Model-7x").contains("\"v0\"");
    }

    @Test
    void aMissingFolderThatIsNoHubIdIsReportedAsAFolder() {
        Cli cli = Cli.run("generate", "--model", "/no/such/model/folder", "--prompt", "x");
        assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err()).contains("/no/such/model/folder").contains("does not exist");
    }

    @Test
    void generateRejectsNonNumericPromptIds() {
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1 two 3");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: --prompt-ids must be integers");
    }

    @Test
    void benchJsonReportsTheRun() {
        Cli cli = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "8", "--new-tokens", "4",
                "--warmup", "0", "--repeat", "1", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.keySet()).contains("prefillTokensPerSecond", "decodeTokensPerSecond", "bandwidthFloorSecondsPerToken",
                "peakRssBytes", "device", "dtype");
        assertThat(o.get("promptTokens").getAsInt()).isEqualTo(8);
        assertThat(o.get("newTokens").getAsInt()).isEqualTo(4);
        // Bench ignores EOS, so every run makes all 4 tokens: one prefill and three decode steps.
        assertThat(o.get("decodeSteps").getAsInt()).isEqualTo(3);
        JsonArray ids = o.getAsJsonArray("generatedIds");
        assertThat(ids).hasSize(4);
        assertThat(o.get("decodeTokensPerSecond").getAsDouble()).isPositive();
        // One round when its floor was stable, all three (the default) when none was.
        int rounds = o.get("floorAttempts").getAsInt();
        assertThat(rounds).isBetween(1, 3);
        if (o.get("floorStable").getAsBoolean()) {
            assertThat(o.get("decodeToFloorRatio").getAsDouble()).isGreaterThanOrEqualTo(1.0);
            assertThat(o.get("floorNote").getAsString()).isEmpty();
        } else {
            assertThat(rounds).isEqualTo(3);
            assertThat(o.get("floorNote").getAsString()).isNotEmpty();
        }
    }

    @Test
    void benchSaysUnstableInsteadOfPrintingARatioItCannotTrust() {
        // No two floors are equal to the nanosecond, so a zero-width spread limit makes every round unstable.
        Cli cli = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "8", "--new-tokens", "4",
                "--warmup", "0", "--repeat", "2", "--floor-attempts", "2", "--max-floor-spread", "1e-12");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("decode/floor     UNSTABLE, not reported: after 2 measurement rounds ")
                .contains("overhead         not reported")
                .containsPattern("3 floors [0-9.]+-[0-9.]+ ms, spread [0-9.]+%")
                .doesNotContain("of floor speed");
    }

    @Test
    void benchRejectsNoFloorAttempts() {
        Cli cli = Cli.run("bench", "--model", model.toString(), "--floor-attempts", "0");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).contains("--floor-attempts must be >= 1");
    }

    @Test
    void benchSoakReportsMemoryEveryTenthAndNoNativeArrayGrowth() {
        Cli cli = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "8", "--soak", "50", "--threads", "1");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        String out = cli.out();
        assertThat(out).contains("50 generations x 4 new tokens, prompt 8 tokens", "1 threads");
        Matcher sample = Pattern.compile("rss +(\\d+) gen +([0-9.]+) MB +native arrays (\\d+)").matcher(out);
        java.util.List<Integer> at = new java.util.ArrayList<>();
        java.util.Set<String> arrays = new java.util.HashSet<>();
        while (sample.find()) {
            at.add(Integer.parseInt(sample.group(1)));
            assertThat(Double.parseDouble(sample.group(2))).isPositive();
            arrays.add(sample.group(3));
        }
        assertThat(at).containsExactly(0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50);
        assertThat(arrays).as("live native arrays stay constant").hasSize(1);
        assertThat(out).containsPattern("rss before +[0-9.]+ MB").containsPattern("rss after +[0-9.]+ MB")
                .containsPattern("rss growth +[-+][0-9.]+ MB over 50 generations")
                .containsPattern("throughput +[0-9.]+ generations/s");
        Matcher native_ = Pattern.compile("native arrays +(\\d+) before, (\\d+) after").matcher(out);
        assertThat(native_.find()).as(out).isTrue();
        assertThat(native_.group(2)).isEqualTo(native_.group(1));
    }

    @Test
    void benchSoakJsonHasTheReportAndSamples() {
        Cli cli = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "4", "--soak", "6",
                "--soak-new-tokens", "2", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        JsonObject r = o.getAsJsonObject("report");
        assertThat(r.get("generations").getAsInt()).isEqualTo(6);
        assertThat(r.get("newTokensEach").getAsInt()).isEqualTo(2);
        assertThat(r.get("promptTokens").getAsInt()).isEqualTo(4);
        assertThat(r.get("rssBeforeBytes").getAsLong()).isPositive();
        assertThat(r.get("rssGrowthBytes").getAsLong())
                .isEqualTo(r.get("rssAfterBytes").getAsLong() - r.get("rssBeforeBytes").getAsLong());
        assertThat(r.get("managedArraysAfter").getAsInt()).isEqualTo(r.get("managedArraysBefore").getAsInt());
        assertThat(r.get("generationsPerSecond").getAsDouble()).isPositive();
        JsonArray samples = o.getAsJsonArray("samples");
        assertThat(samples).hasSize(7); // 0, then every generation (6 / 10 rounds up to every 1)
        assertThat(samples.get(6).getAsJsonObject().get("generations").getAsInt()).isEqualTo(6);
    }

    @Test
    void randomModelWritesALoadableFolder() {
        Path out = tmp.resolve("written");
        Cli cli = Cli.run("random-model", "--preset", "tiny", "--layers", "1", "--storage", "f16", "--out", out.toString());
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("hidden 64, 1 layers").contains("F16");
        assertThat(out.resolve("config.json")).exists();
        assertThat(out.resolve("tokenizer.json")).exists();
        try (LocalModel loaded = LocalModel.load(out)) {
            assertThat(loaded.info().vocabSize()).hasValue(32000);
        }
    }

    @Test
    void missingModelFolderIsAUserErrorNamingTheFolder() {
        Path missing = tmp.resolve("no-such-model");
        Cli cli = Cli.run("generate", "--model", missing.toString(), "--prompt", "x");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: ").contains(missing.toString()).doesNotContain("Exception");
    }

    @Test
    void missingPromptIdsFileIsAUserError() {
        Path missing = tmp.resolve("ids.txt");
        Cli cli = Cli.run("bench", "--model", model.toString(), "--prompt-ids-file", missing.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("error: file not found: " + missing);
    }

    /** Reads a 1-D little-endian float32 .npy, checking the header the way numpy.load would. */
    static float[] readFloat32Npy(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        buf.get(magic);
        assertThat(magic).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
        assertThat(buf.get()).as("major version").isEqualTo((byte) 1);
        buf.get();
        int headerLength = Short.toUnsignedInt(buf.getShort());
        byte[] headerBytes = new byte[headerLength];
        buf.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.US_ASCII);
        assertThat((10 + headerLength) % 64).as("data starts 64-byte aligned").isZero();
        assertThat(header).endsWith("\n").contains("'descr': '<f4'").contains("'fortran_order': False");
        Matcher shape = Pattern.compile("'shape': \\((\\d+),\\)").matcher(header);
        assertThat(shape.find()).as(header).isTrue();
        int n = Integer.parseInt(shape.group(1));
        assertThat(buf.remaining()).isEqualTo(n * 4);
        float[] values = new float[n];
        buf.asFloatBuffer().get(values);
        return values;
    }
}
