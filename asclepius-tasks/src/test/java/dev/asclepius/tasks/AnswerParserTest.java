package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.QuestionTask;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnswerParserTest {

    static Evidence ev(String quote) {
        return new Evidence(quote, Fixtures.spans(quote));
    }

    static Stream<Arguments> answers() {
        String followUp = "The patient should follow up with cardiology in two weeks.";
        return Stream.of(
                // the answer reuses four words of the note ("Follow-up with cardiology"): they are evidence (issue #10)
                Arguments.of("paraphrased answer, verbatim words are evidence", false, followUp,
                        new Answer(followUp, true, List.of(ev("follow up with cardiology")))),
                Arguments.of("double-quoted evidence", false,
                        "The note says \"Follow-up with cardiology in 2 weeks\".",
                        new Answer("The note says \"Follow-up with cardiology in 2 weeks\".", true,
                                List.of(ev("Follow-up with cardiology in 2 weeks")))),
                Arguments.of("verbatim sentence is evidence", false, "Repeat echocardiogram in 3 months.",
                        new Answer("Repeat echocardiogram in 3 months.", true, List.of(ev("Repeat echocardiogram in 3 months")))),
                Arguments.of("not in the note", false,
                        "The discharge summary does not mention any adverse drug reactions.",
                        new Answer("The discharge summary does not mention any adverse drug reactions.", false, List.of())),
                Arguments.of("single-quoted phrase", false, "Yes, the patient was advised to follow 'a low-sodium diet'.",
                        new Answer("Yes, the patient was advised to follow 'a low-sodium diet'.", true,
                                List.of(ev("a low-sodium diet")))),
                Arguments.of("quote not in note is flagged", false,
                        "The summary states 'patient tolerated the procedure well'.",
                        new Answer("The summary states 'patient tolerated the procedure well'.", true,
                                List.of(new Evidence("patient tolerated the procedure well", List.of())))),
                Arguments.of("misspelled quote matches fuzzily", false, "\"Follow-up with cardiolgy in 2 weeks\"",
                        new Answer("\"Follow-up with cardiolgy in 2 weeks\"", true,
                                List.of(new Evidence("Follow-up with cardiolgy in 2 weeks",
                                        Fixtures.fuzzy("Follow-up with cardiology in 2 weeks"))))),
                Arguments.of("bullets, normalized sentence", false, """
                        - Low-sodium diet
                        - Walk 30 minutes daily""",
                        new Answer("- Low-sodium diet\n- Walk 30 minutes daily", true, List.of(ev("Walk 30 minutes daily")))),
                Arguments.of("truncated", true,
                        "The patient should take clopidogrel every day. It must not be sto",
                        // the words the note says verbatim are evidence (issue #10), the cut sentence is not
                        new Answer("The patient should take clopidogrel every day.", true, List.of(ev("take clopidogrel every day")))),
                Arguments.of("courtesy removed, verbatim sentence", false, "Sure! He should take clopidogrel every day.",
                        new Answer("He should take clopidogrel every day.", true, List.of(ev("He should take clopidogrel every day")))),
                Arguments.of("unable to determine", false, "Unable to determine from the discharge summary.",
                        new Answer("Unable to determine from the discharge summary.", false, List.of())),
                Arguments.of("duplicate quotes once", false, "'HbA1c' should be rechecked; 'HbA1c' is a diabetes test.",
                        new Answer("'HbA1c' should be rechecked; 'HbA1c' is a diabetes test.", true, List.of(ev("HbA1c")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void parsesAnswer(String name, boolean truncated, String answer, Answer expected) {
        Answer got = QuestionTask.parseAnswer(new Grounder(Fixtures.NOTE), new Reply(answer, truncated));
        assertThat(got).isEqualTo(expected);
        got.evidence().forEach(e -> Fixtures.assertValid(e.spans()));
    }
}
