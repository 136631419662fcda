package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Evidence a free answer copies from the note (issue #10). */
class QuestionEvidenceTest {
    private static final ClinicalNote NOTE = ClinicalNote.of("Pathology is pending. Urinalysis was unremarkable. "
            + "Follow-up: Sleep medicine referral for BiPAP titration. Low-sodium diet advised.");

    private static List<String> evidence(String answer) {
        Answer a = QuestionTask.parseAnswer(new Grounder(NOTE), new Reply(answer, false));
        List<Span> spans = a.evidence().stream().flatMap((Evidence e) -> e.spans().stream()).toList();
        for (Span s : spans) {
            assertThat(NOTE.text().substring(s.begin(), s.end())).isEqualTo(s.text());
        }
        return spans.stream().map(Span::text).toList();
    }

    @Test
    void aThreeWordStatementCopiedFromTheNoteIsEvidenceAHyphenatedNameIsNot() {
        assertThat(evidence("Not yet: his pathology is pending, and the urinalysis was unremarkable as well"))
                .containsExactly("Pathology is pending", "Urinalysis was unremarkable");
        assertThat(evidence("He should keep a low-sodium diet")).isEmpty();
    }

    @Test
    void aCopiedRunWidensOverTheAnswersOwnWordsWithinTheSentence() {
        assertThat(evidence("A sleep medicine referral was made for further BiPAP titration"))
                .containsExactly("Sleep medicine referral for BiPAP titration");
        // a sentence end in the answer stops the widening
        assertThat(evidence("A sleep medicine referral was made. For BiPAP titration, see clinic"))
                .containsExactly("Sleep medicine referral");
    }
}
