package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.SummaryTask;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SummaryParserTest {

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("bullets", false, """
                        - CHF exacerbation treated with IV furosemide
                        - PCI with drug-eluting stent to the LAD""",
                        new Summary("- CHF exacerbation treated with IV furosemide\n- PCI with drug-eluting stent to the LAD",
                                List.of("CHF exacerbation treated with IV furosemide", "PCI with drug-eluting stent to the LAD"))),
                Arguments.of("prose", false,
                        "The patient was admitted with CHF exacerbation and underwent PCI. He should follow up with cardiology in 2 weeks.",
                        new Summary("The patient was admitted with CHF exacerbation and underwent PCI. He should follow up with cardiology in 2 weeks.",
                                List.of("The patient was admitted with CHF exacerbation and underwent PCI.",
                                        "He should follow up with cardiology in 2 weeks."))),
                Arguments.of("courtesy and preamble", false, """
                        Sure! Here is a summary of the key findings and recommendations:
                        1. Troponin was elevated.
                        2. A stent was placed in the LAD.""",
                        new Summary("1. Troponin was elevated.\n2. A stent was placed in the LAD.",
                                List.of("Troponin was elevated.", "A stent was placed in the LAD."))),
                Arguments.of("summary label", false, "Summary: The patient had a heart attack treated with a stent.",
                        new Summary("The patient had a heart attack treated with a stent.",
                                List.of("The patient had a heart attack treated with a stent."))),
                Arguments.of("headings between bullets", false, """
                        Key findings:
                        - Ejection fraction of 35%
                        Recommendations:
                        - Low-sodium diet""",
                        new Summary("Key findings:\n- Ejection fraction of 35%\nRecommendations:\n- Low-sodium diet",
                                List.of("Ejection fraction of 35%", "Low-sodium diet"))),
                Arguments.of("truncated prose", true, "The patient was treated for CHF. He received a st",
                        new Summary("The patient was treated for CHF.", List.of("The patient was treated for CHF."))),
                Arguments.of("truncated bullets", true, """
                        - Admitted with chest pain
                        - PCI to the L""",
                        new Summary("- Admitted with chest pain", List.of("Admitted with chest pain"))),
                Arguments.of("decimals and titles do not split sentences", false,
                        "Troponin was 0.8 ng/mL on admission. Dr. Smith recommended follow-up.",
                        new Summary("Troponin was 0.8 ng/mL on admission. Dr. Smith recommended follow-up.",
                                List.of("Troponin was 0.8 ng/mL on admission.", "Dr. Smith recommended follow-up."))),
                Arguments.of("parenthesised numbers", false, """
                        1) Heart failure flare treated
                        2) Stent placed""",
                        new Summary("1) Heart failure flare treated\n2) Stent placed",
                                List.of("Heart failure flare treated", "Stent placed"))),
                Arguments.of("prose line then bullets", false, """
                        The patient improved. Discharge plan:
                        - Aspirin and clopidogrel
                        - Cardiology follow-up""",
                        new Summary("The patient improved. Discharge plan:\n- Aspirin and clopidogrel\n- Cardiology follow-up",
                                List.of("The patient improved.", "Aspirin and clopidogrel", "Cardiology follow-up"))),
                Arguments.of("markdown bold", false, "**Diagnosis:** CHF exacerbation",
                        new Summary("Diagnosis: CHF exacerbation", List.of("Diagnosis: CHF exacerbation"))),
                Arguments.of("layman focus answer", false,
                        "Your heart was not pumping well, so fluid built up. You need to take your medicines every day!",
                        new Summary("Your heart was not pumping well, so fluid built up. You need to take your medicines every day!",
                                List.of("Your heart was not pumping well, so fluid built up.", "You need to take your medicines every day!"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void parsesAnswer(String name, boolean truncated, String answer, Summary expected) {
        assertThat(SummaryTask.parseAnswer(new Reply(answer, truncated))).isEqualTo(expected);
    }
}
