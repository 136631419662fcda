package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.ParaphraseTask;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParaphraseParserTest {

    static final String XRAY = "A chest X-ray revealed mild pulmonary edema";

    static Paraphrase whole(String text) {
        return new Paraphrase(Optional.empty(), text, List.of());
    }

    static Paraphrase of(String original, String text) {
        return new Paraphrase(Optional.of(original), text, Fixtures.spans(original));
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("plain prose", null, false,
                        "The patient came to the hospital with trouble breathing and chest pain. His heart was not pumping well.",
                        whole("The patient came to the hospital with trouble breathing and chest pain. His heart was not pumping well.")),
                Arguments.of("courtesy and preamble line", null, false, """
                        Sure! Here's a simpler version of the discharge summary:

                        You were in the hospital because your heart was weak. Doctors opened a blocked artery.""",
                        whole("You were in the hospital because your heart was weak. Doctors opened a blocked artery.")),
                Arguments.of("in simpler terms lead-in", null, false,
                        "In simpler terms, the patient's heart was not pumping well and fluid built up in his lungs.",
                        whole("the patient's heart was not pumping well and fluid built up in his lungs.")),
                Arguments.of("paragraphs kept", null, false, """
                        The patient had a heart attack.

                        He got a stent and new medicines.""",
                        whole("The patient had a heart attack.\nHe got a stent and new medicines.")),
                Arguments.of("truncated mid-sentence", null, true,
                        "The patient came in with chest pain. They found a blocked art",
                        whole("The patient came in with chest pain.")),
                Arguments.of("wrapped in quotes", null, false, "\"The patient had fluid in the lungs.\"",
                        whole("The patient had fluid in the lungs.")),
                Arguments.of("sentence paraphrase", XRAY, false,
                        "The chest X-ray showed a small amount of fluid in the lungs.",
                        of(XRAY, "The chest X-ray showed a small amount of fluid in the lungs.")),
                Arguments.of("restates the line then quotes", XRAY, false,
                        "The line 'A chest X-ray revealed mild pulmonary edema' can be rephrased as: \"The X-ray showed some fluid in the lungs.\"",
                        of(XRAY, "The X-ray showed some fluid in the lungs.")),
                Arguments.of("a simpler way to say", "90% stenosis of the LAD", false,
                        "A simpler way to say this is: one of the main heart arteries was 90% blocked.",
                        of("90% stenosis of the LAD", "one of the main heart arteries was 90% blocked.")),
                Arguments.of("paraphrased label", "CHF exacerbation", false,
                        "Paraphrased: a flare-up of heart failure",
                        of("CHF exacerbation", "a flare-up of heart failure")),
                Arguments.of("original not in note is flagged", "acute renal failure due to ischemia", false,
                        "The kidneys suddenly stopped working because they did not get enough blood.",
                        new Paraphrase(Optional.of("acute renal failure due to ischemia"),
                                "The kidneys suddenly stopped working because they did not get enough blood.", List.of())),
                Arguments.of("nothing found", "post-operative seroma", false,
                        "The discharge summary does not mention a post-operative seroma.",
                        new Paraphrase(Optional.of("post-operative seroma"), "", List.of())),
                Arguments.of("plain language lead-in", "90% stenosis of the LAD", false,
                        "In plain language: one of the main heart arteries (the LAD) was 90% blocked.",
                        of("90% stenosis of the LAD", "one of the main heart arteries (the LAD) was 90% blocked.")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void parsesAnswer(String name, String original, boolean truncated, String answer, Paraphrase expected) {
        Paraphrase got = ParaphraseTask.parseAnswer(new Grounder(Fixtures.NOTE), new Reply(answer, truncated),
                Optional.ofNullable(original));
        assertThat(got).isEqualTo(expected);
        Fixtures.assertValid(got.originalSpans());
    }
}
