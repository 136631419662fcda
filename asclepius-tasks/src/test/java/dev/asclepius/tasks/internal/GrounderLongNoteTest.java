package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Fixtures;
import dev.asclepius.tasks.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrounderLongNoteTest {

    /** A note as long as an 8k-token context, fuzzy-searched for phrases it lacks: offsets stay valid. */
    @Test
    void longNotesKeepValidOffsetsAndFindEveryRepetition() {
        String text = Fixtures.TEXT.repeat(20);
        ClinicalNote note = ClinicalNote.of(text);
        Grounder g = new Grounder(note);
        List<Span> spans = g.locate("metformine 500 mg");
        for (String phrase : List.of("acute kidney injury due to contrast", "the ejection fractions of 35%",
                "percutanous coronary intervention", "warfarin 5 mg daily")) {
            for (Span s : g.locate(phrase)) {
                assertThat(text.substring(s.begin(), s.end())).isEqualTo(s.text());
            }
        }
        assertThat(spans).hasSize(20).allSatisfy(s -> assertThat(text.substring(s.begin(), s.end())).isEqualTo(s.text()));
    }
}
