package dev.asclepius.cli;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius demo}: the whole path on a tiny random-weight model, no download needed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build a tiny RANDOM-WEIGHT model in a temp folder and run load, prompt, generate and stream on it.")
final class DemoCommand implements Callable<Integer> {
    static final String NOTE = "Discharge Diagnosis: Community-acquired pneumonia. HTN. DM2.\n"
            + "Hospital Course: 67M admitted with fever and SOB. CXR showed RLL consolidation. Treated with "
            + "ceftriaxone and azithromycin, switched to PO amoxicillin on hospital day 3.\n"
            + "Discharge Medications: amoxicillin 875 mg PO BID x 5 days, metformin 500 mg BID, lisinopril 10 mg daily.";
    static final String INSTRUCTION = "What medications was the patient discharged on, and at what doses?";

    @Spec
    CommandSpec spec;

    @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N",
            description = "Tokens to generate and stream (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        // Checked before anything is written: a bad option must not cost a model written to disk first.
        GenerationConfig generation = OptionErrors.build(spec, GenerationConfig.builder().maxNewTokens(maxNewTokens));
        Path dir = Files.createTempDirectory("asclepius-demo-");
        try {
            out.println("NOTE: this demo uses RANDOM weights, so the generated text is meaningless.");
            out.println("      It shows the whole path working: checkpoint, tokenizer, Asclepius prompt, generation, streaming.");
            out.println("      For real answers, download an Asclepius checkpoint and use: generate --model DIR ...");
            out.println();
            RandomModelSpec tiny = RandomModelSpec.tiny();
            RandomModelWriter.write(dir, tiny);
            out.printf("Wrote a random %d-layer LLaMA (hidden %d, vocab %d) to %s%n", tiny.layers(), tiny.hiddenSize(),
                    tiny.vocabSize(), dir);
            try (LocalModel model = LocalModel.load(dir)) {
                String prompt = PromptTemplate.INFERENCE.format(NOTE, INSTRUCTION);
                int[] ids = model.tokenizer().orElseThrow().encode(prompt);
                out.printf("Loaded on %s (%s). Prompt: %d tokens. Instruction: %s%n%nStreaming %d tokens:%n", model.info().device().orElseThrow(),
                        model.info().computeType().orElseThrow(), ids.length, INSTRUCTION, maxNewTokens);
                GenerationResult result = model.generate(ids, generation,
                        (delta, id) -> {
                            out.print(delta);
                            out.flush();
                        });
                out.printf("%n%nfinish: %s, %d tokens, prefill %.1f ms, decode %.1f tok/s%n", result.finishReason(),
                        result.generatedTokens(), result.prefillTime().toNanos() / 1e6, result.decodeTokensPerSecond());
                out.println("(Random weights: the text above is meaningless by design.)");
            }
        } finally {
            deleteRecursively(dir);
        }
        return 0;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
