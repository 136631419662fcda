package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AbbreviationParserTest {

    static Abbreviation a(String shortForm, String expansion) {
        return new Abbreviation(shortForm, expansion, Fixtures.spans(shortForm));
    }

    static Stream<Arguments> allAnswers() {
        return Stream.of(
                Arguments.of("colon lines", false, """
                        HTN: hypertension
                        CHF: congestive heart failure
                        PCI: percutaneous coronary intervention""",
                        List.of(a("HTN", "hypertension"), a("CHF", "congestive heart failure"),
                                a("PCI", "percutaneous coronary intervention"))),
                Arguments.of("numbered dash lines with preamble", false, """
                        Sure! Here are the abbreviations used in the discharge summary and their expanded forms:
                        1. ECG - electrocardiogram
                        2. LAD - left anterior descending artery
                        3. BID - twice a day""",
                        List.of(a("ECG", "electrocardiogram"), a("LAD", "left anterior descending artery"),
                                a("BID", "twice a day"))),
                Arguments.of("expansion first with parentheses", false, """
                        - Congestive heart failure (CHF)
                        - Type 2 diabetes mellitus (DM2)
                        - Primary care provider (PCP)""",
                        List.of(a("CHF", "Congestive heart failure"), a("DM2", "Type 2 diabetes mellitus"),
                                a("PCP", "Primary care provider"))),
                Arguments.of("short form with parenthesised expansion", false, """
                        • PO (by mouth)
                        • IV (intravenous)""",
                        List.of(a("PO", "by mouth"), a("IV", "intravenous"))),
                Arguments.of("prose with stands for", false,
                        "In this discharge summary, HTN stands for hypertension, and CHF stands for congestive heart failure.",
                        List.of(a("HTN", "hypertension"), a("CHF", "congestive heart failure"))),
                Arguments.of("equals and quoted forms", false, """
                        "HbA1c" = hemoglobin A1c
                        'PCP' = primary care physician""",
                        List.of(a("HbA1c", "hemoglobin A1c"), a("PCP", "primary care physician"))),
                Arguments.of("inline list after a restated question", false,
                        "The abbreviations used are: HTN (hypertension), CHF (congestive heart failure), and PCI "
                                + "(percutaneous coronary intervention).",
                        List.of(a("HTN", "hypertension"), a("CHF", "congestive heart failure"),
                                a("PCI", "percutaneous coronary intervention"))),
                Arguments.of("nothing found", false, "There are no abbreviations mentioned in the discharge summary.",
                        List.of()),
                Arguments.of("truncated", true, """
                        1. HTN: hypertension
                        2. DM2: type 2 diabetes mel""",
                        List.of(a("HTN", "hypertension"))),
                Arguments.of("invented abbreviation kept and flagged", false, """
                        - CAD: coronary artery disease
                        - EF: ejection fraction""",
                        List.of(new Abbreviation("CAD", "coronary artery disease", List.of()),
                                new Abbreviation("EF", "ejection fraction", List.of())))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allAnswers")
    void parsesAll(String name, boolean truncated, String answer, List<Abbreviation> expected) {
        List<Abbreviation> got = AbbreviationTask.parseAll(new Grounder(Fixtures.NOTE), new Reply(answer, truncated));
        assertThat(got).containsExactlyElementsOf(expected);
        got.forEach(x -> Fixtures.assertValid(x.spans()));
    }

    static Stream<Arguments> oneAnswers() {
        return Stream.of(
                Arguments.of("CHF", "CHF stands for congestive heart failure.", Optional.of(a("CHF", "congestive heart failure"))),
                Arguments.of("HTN", "The abbreviation 'HTN' stands for 'hypertension'.", Optional.of(a("HTN", "hypertension"))),
                Arguments.of("LAD", "Left anterior descending (coronary artery).", Optional.of(a("LAD", "Left anterior descending"))),
                Arguments.of("PCP", "In this context, PCP most likely refers to primary care physician, the doctor who "
                        + "will follow the patient after discharge.", Optional.of(a("PCP", "primary care physician"))),
                Arguments.of("BID", "It means twice a day.", Optional.of(a("BID", "twice a day"))),
                Arguments.of("COPD", "The abbreviation 'COPD' is not mentioned in the discharge summary.", Optional.empty()));
    }

    @ParameterizedTest(name = "one: {0} <- {1}")
    @MethodSource("oneAnswers")
    void parsesOne(String shortForm, String answer, Optional<Abbreviation> expected) {
        assertThat(AbbreviationTask.parseOne(new Grounder(Fixtures.NOTE), new Reply(answer, false), shortForm))
                .isEqualTo(expected);
    }
}
