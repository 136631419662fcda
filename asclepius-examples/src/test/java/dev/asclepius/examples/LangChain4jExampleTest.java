package dev.asclepius.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.langchain4j.internal.Mapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The langchain4j example on a tiny random-weight model: what it prints is what the engine generated. */
class LangChain4jExampleTest {
    @TempDir
    Path dir;

    @Test
    void printsTheEnginesAnswerItsCountsAndTheSameAnswerStreamed() {
        RandomModelWriter.write(dir, RandomModelSpec.tiny());
        String note = "Admitted with chest pain. Troponin negative. Discharged on aspirin.";
        String question = "What follow-up is planned?";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LocalModel model = LocalModel.load(dir);
             PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            String answer = LangChain4jExample.run(model, note, question, out);

            GenerationResult direct = model.generate(PromptTemplate.INFERENCE.format(note, question),
                    GenerationConfig.builder().maxNewTokens(128).build());
            assertThat(answer).isEqualTo(direct.text());
            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("answer:        " + direct.text() + "\n")
                    .contains("token usage:   " + direct.promptTokens() + " in, " + direct.generatedTokens() + " out\n")
                    .contains("finish reason: " + Mapping.finishReason(direct.finishReason()) + "\n")
                    .contains("streamed:      " + direct.text() + "\n")
                    .contains("stream done:   " + Mapping.finishReason(direct.finishReason()) + ", "
                            + direct.generatedTokens() + " tokens");
        }
    }
}
