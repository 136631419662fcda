package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a coreference answer's referent is grounded when the note words it otherwise (issue #10). */
class CoreferenceGroundingTest {
    private static final ClinicalNote NOTE = ClinicalNote.of("A viable male infant was delivered by cesarean section. "
            + "He was admitted to the NICU. She attends AA meeting nightly. Mild delirium on the night of POD#2 "
            + "resolved. There is 90% stenosis of the RCA.");

    private static List<String> referentSpans(String mention, String answer) {
        CoreferenceChain c = CoreferenceTask.parseOne(new Grounder(NOTE), new Reply(answer, false), mention).orElseThrow();
        for (Span s : c.referentSpans()) {
            assertThat(NOTE.text().substring(s.begin(), s.end())).isEqualTo(s.text());
        }
        return c.referentSpans().stream().map(Span::text).toList();
    }

    @Test
    void anAppositiveInTheAnswerGroundsAReferentTheNoteDoesNotSay() {
        assertThat(referentSpans("he", "'He' refers to the newborn baby, the viable male infant delivered by cesarean "
                + "section, who was admitted to the NICU.")).containsExactly("viable male infant");
        // a relative clause is not another name
        assertThat(referentSpans("he", "'He' refers to the newborn baby, who was admitted to the NICU.")).isEmpty();
    }

    @Test
    void theAnswersGlossIsNotPartOfTheReferent() {
        assertThat(referentSpans("these", "'These' refers to AA (Alcoholics Anonymous) meetings."))
                .containsExactly("AA meeting");
    }

    @Test
    void theHeadPhraseTheNoteSaysWordForWordIsTheReferentsName() {
        assertThat(referentSpans("it", "'It' refers to the mild delirium on the night of POD#2."))
                .containsExactly("Mild delirium");
        // "of the" does not end a name
        assertThat(referentSpans("it", "'It' refers to the 90% stenosis of the RCA."))
                .containsExactly("90% stenosis of the RCA");
    }
}
