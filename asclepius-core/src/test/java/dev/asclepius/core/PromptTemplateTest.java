package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class PromptTemplateTest {
    private static final String NOTE = "Pt c/o SOB.\nHx: CHF (EF 35%), Ménière's; 肺炎 🩺\n";
    private static final String QUESTION = "What is the {note} placeholder's diagnosis?  ";

    private static byte[] file(PromptTemplate template) throws IOException {
        String name = template == PromptTemplate.INFERENCE ? "prompt-inference.txt" : "prompt-training-llama1-llama2.txt";
        try (InputStream in = PromptTemplateTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @CsvSource({"INFERENCE, 416", "TRAINING, 415"})
    void authorsFilesHaveTheirKnownSizes(PromptTemplate template, int bytes) throws IOException {
        assertThat(file(template)).hasSize(bytes);
    }

    @ParameterizedTest
    @EnumSource(PromptTemplate.class)
    void formatIsTheAuthorsFileWithThePlaceholdersReplaced(PromptTemplate template) throws IOException {
        String authors = new String(file(template), StandardCharsets.UTF_8);
        String expected = authors.replace("{note}", NOTE).replace("{question}", QUESTION);
        assertThat(template.format(NOTE, QUESTION).getBytes(StandardCharsets.UTF_8))
                .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(PromptTemplate.class)
    void emptyPlaceholdersGiveTheFileWithoutThem(PromptTemplate template) throws IOException {
        int placeholders = "{note}".length() + "{question}".length();
        assertThat(template.format("", "").getBytes(StandardCharsets.UTF_8))
                .hasSize(file(template).length - placeholders);
    }

    @ParameterizedTest
    @EnumSource(PromptTemplate.class)
    void prefixPlusSuffixIsFormat(PromptTemplate template) {
        assertThat(template.prefix(NOTE) + template.suffix(QUESTION)).isEqualTo(template.format(NOTE, QUESTION));
    }

    @ParameterizedTest
    @CsvSource({"INFERENCE, '[Instruction End] \n'", "TRAINING, '[Instruction End]\n'"})
    void endingDiffersOnlyInTheSpaceAfterInstructionEnd(PromptTemplate template, String ending) {
        assertThat(template.format("n", "q")).endsWith("q\n" + ending);
    }
}
