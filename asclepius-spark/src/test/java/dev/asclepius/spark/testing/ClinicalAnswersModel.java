package dev.asclepius.spark.testing;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.ModelSource;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * A fake model that answers each task's question the way Asclepius does (numbered lists with dosages,
 * negations, dates), so the records under test are not empty as the random-weight model's usually are.
 * The answer depends on the instruction only; grounding makes the records differ from note to note.
 */
public final class ClinicalAnswersModel implements LanguageModel {

    static String answer(String instruction) {
        String q = instruction.toLowerCase(java.util.Locale.ROOT);
        // the timeline question also names procedures and follow-up: it is recognised first
        if (q.contains("temporal")) {
            return "1. Admission: 03/14/2019\n2. Chest X-ray on hospital day 2\n3. IV furosemide for 3 days";
        }
        if (q.contains("medical conditions")) {
            return "1. Pneumonia\n2. History of myocardial infarction\n3. CHF exacerbation";
        }
        if (q.contains("medications")) {
            return "1. Ceftriaxone 1 g daily\n2. Metformin: 500 mg BID\n3. Aspirin 81 mg";
        }
        if (q.contains("diagnostic tests")) {
            return "1. Chest X-ray - clear";
        }
        if (q.contains("procedures")) {
            return "1. PCI to the LAD";
        }
        if (q.contains("lifestyle")) {
            return "1. Denies smoking";
        }
        if (q.contains("follow-up")) {
            return "The note says \"Follow-up with cardiology in 2 weeks\".";
        }
        return "None.";
    }

    @Override
    public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        int begin = prompt.indexOf("[Instruction Begin]\n") + "[Instruction Begin]\n".length();
        String text = answer(prompt.substring(begin, prompt.lastIndexOf("\n[Instruction End]")));
        int words = text.split("\\s+").length;
        return new GenerationResult(text, IntStream.range(0, words).boxed().toList(), FinishReason.EOS,
                prompt.split("\\s+").length, Duration.ofMillis(1), Duration.ofMillis(1), words - 1);
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        throw new UnsupportedOperationException("the tasks send text prompts");
    }

    @Override
    public java.util.Optional<TextTokenizer> tokenizer() {
        return java.util.Optional.empty();   // the server-like model tokenizes text itself
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(new ModelSource.Local(Path.of("clinical-answers")), "scripted", Optional.empty(), OptionalInt.empty(),
                2048, Optional.of(Device.cpu()), Optional.of(ComputeType.F32));
    }

    @Override
    public void close() {
    }
}
