package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.RelationTask;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RelationParserTest {

    static Relation r(String head, String relation, String tail, String explanation) {
        return new Relation(head, relation, tail, explanation, Fixtures.spans(head), Fixtures.spans(tail));
    }

    static Stream<Arguments> allAnswers() {
        return Stream.of(
                Arguments.of("three-part dash lines", false, """
                        1. Metformin - treats - type 2 diabetes mellitus
                        2. Lisinopril - treats - hypertension""",
                        List.of(r("Metformin", "treats", "type 2 diabetes mellitus", ""),
                                r("Lisinopril", "treats", "hypertension", ""))),
                Arguments.of("arrow with parenthesised label", false, """
                        - Furosemide -> CHF exacerbation (treatment)
                        - Cardiac catheterization -> stenosis of the LAD (diagnosis)""",
                        List.of(r("Furosemide", "treatment", "CHF exacerbation", ""),
                                r("Cardiac catheterization", "diagnosis", "stenosis of the LAD", ""))),
                Arguments.of("item dash cue phrase", false, """
                        - Metformin - prescribed for type 2 diabetes mellitus
                        - Atorvastatin - used to manage hyperlipidemia""",
                        List.of(r("Metformin", "prescribed for", "type 2 diabetes mellitus", ""),
                                new Relation("Atorvastatin", "used to manage", "hyperlipidemia", "",
                                        Fixtures.spans("Atorvastatin"), List.of()))),
                Arguments.of("prose sentences with explanations", false,
                        "Furosemide was given to treat the CHF exacerbation, as it removes excess fluid. "
                                + "The ECG revealed ST depression in the lateral leads.",
                        List.of(r("Furosemide", "given to treat", "CHF exacerbation", "as it removes excess fluid"),
                                r("ECG", "revealed", "ST depression in the lateral leads", ""))),
                Arguments.of("colon item then relation", false, """
                        Clopidogrel: prescribed to prevent stent thrombosis after PCI.""",
                        List.of(new Relation("Clopidogrel", "prescribed to prevent", "stent thrombosis after PCI", "",
                                Fixtures.spans("Clopidogrel"), List.of()))),
                Arguments.of("caused-by with preamble", false, """
                        Here are the relationships identified in the discharge summary:
                        1. Pulmonary edema caused by congestive heart failure
                        2. Chest pain due to stenosis of the LAD""",
                        List.of(r("Pulmonary edema", "caused by", "congestive heart failure", ""),
                                r("Chest pain", "due to", "stenosis of the LAD", ""))),
                Arguments.of("markdown table, header names the columns in any order", false, """
                        The connections are summarized below:

                        | Medication | Relationship | Condition | Notes |
                        |:---|---|---|---|
                        | Metformin | treats (glucose control) | type 2 diabetes mellitus | |
                        | **Lisinopril** | treats | hypertension | held for two days |

                        Please note that doses were not changed.""",
                        List.of(r("Metformin", "treats", "type 2 diabetes mellitus", "glucose control"),
                                r("Lisinopril", "treats", "hypertension", "held for two days"))),
                Arguments.of("nothing found", false,
                        "The discharge summary does not mention any relationships between medications and conditions.",
                        List.of()),
                Arguments.of("truncated", true, """
                        1. Lisinopril - treats - hypertension
                        2. Aspirin - prevents - """,
                        List.of(r("Lisinopril", "treats", "hypertension", ""))),
                Arguments.of("four parts keep explanation", false,
                        "Furosemide - treats - CHF exacerbation - given IV for 3 days",
                        List.of(r("Furosemide", "treats", "CHF exacerbation", "given IV for 3 days")))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allAnswers")
    void parsesAll(String name, boolean truncated, String answer, List<Relation> expected) {
        List<Relation> got = RelationTask.parseAll(new Grounder(Fixtures.NOTE), new Reply(answer, truncated));
        assertThat(got).containsExactlyElementsOf(expected);
        got.forEach(x -> {
            Fixtures.assertValid(x.headSpans());
            Fixtures.assertValid(x.tailSpans());
        });
    }

    static Stream<Arguments> pairAnswers() {
        return Stream.of(
                Arguments.of("Metformin", "type 2 diabetes mellitus",
                        "Metformin was prescribed to treat the patient's type 2 diabetes mellitus.",
                        Optional.of(r("Metformin", "prescribed to treat", "type 2 diabetes mellitus",
                                "Metformin was prescribed to treat the patient's type 2 diabetes mellitus."))),
                Arguments.of("furosemide", "CHF",
                        "The patient received IV furosemide for 3 days to manage the CHF exacerbation.",
                        Optional.of(r("furosemide", "to manage", "CHF",
                                "The patient received IV furosemide for 3 days to manage the CHF exacerbation."))),
                Arguments.of("aspirin", "asthma",
                        "There is no mention of a relationship between aspirin and asthma in the discharge summary.",
                        Optional.empty()));
    }

    @ParameterizedTest(name = "pair: {0} / {1}")
    @MethodSource("pairAnswers")
    void parsesPair(String a, String b, String answer, Optional<Relation> expected) {
        assertThat(RelationTask.parsePair(new Grounder(Fixtures.NOTE), new Reply(answer, false), a, b)).isEqualTo(expected);
    }
}
