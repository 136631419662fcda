package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the answer names an item more fully than the parser's record does, and the note says those same words
 * next to it, the span covers them (issue #10, span recall); what the answer does not say is never added.
 */
class SpanWideningTest {
    private static final ClinicalNote NOTE = ClinicalNote.of("""
            Diagnoses: Preeclampsia with severe features; chronic HTN. Postpartum BPs were 130s-150s.
            She was placed on supplemental O2. Enoxaparin was given for DVT prophylaxis.
            The patient had a mechanical fall at home on the morning of November 2, 2022.
            She had a displaced left intertrochanteric femur fracture. The AKI was prerenal.
            """);

    private static <T> T parse(TaskType<T> type, String question, String answer) {
        return TaskParsers.parse(type, NOTE, question, answer).value();
    }

    private static List<String> texts(List<Span> spans) {
        return spans.stream().map(Span::text).toList();
    }

    @Test
    void anEntityIsGroundedWithTheQualifierTheAnswerAndTheNoteShare() {
        List<Entity> e = parse(TaskType.ENTITIES, "What conditions does she have?",
                "- Preeclampsia with severe features at 34 weeks\n- Chronic hypertension");
        assertThat(e).extracting(Entity::text).containsExactly("Preeclampsia", "Chronic hypertension");
        // "at 34 weeks" is when, not what: the widening stops before it
        assertThat(texts(e.get(0).spans())).containsExactly("Preeclampsia with severe features");
        assertThat(texts(e.get(1).spans())).containsExactly("chronic HTN");
    }

    @Test
    void aTimeIsGroundedWithThePartOfTheDayTheAnswerSays() {
        Timeline t = TaskParsers.parse(TaskType.TIMELINE, NOTE, "When did she fall?",
                "Fall at home: the morning of November 2, 2022").value();
        assertThat(t.events()).hasSize(1);
        assertThat(texts(t.events().get(0).timeSpans())).containsExactly("morning of November 2, 2022");
    }

    @Test
    void relationEndsUseTheNotesAbbreviationsAndTheAnswersFullerWording() {
        List<Relation> r = parse(TaskType.RELATIONS, "Identify the connections between the medications and the conditions.",
                "- Oral labetalol - postpartum blood pressure: BP control\n- Supplemental oxygen - hypoxia\n"
                        + "- Enoxaparin - DVT prophylaxis");
        assertThat(texts(r.get(0).tailSpans())).containsExactly("Postpartum BPs");
        assertThat(texts(r.get(1).headSpans())).containsExactly("supplemental O2");
        // "X prophylaxis": the condition is X, which the drug prevents
        assertThat(r.get(2).tail()).isEqualTo("DVT");
        assertThat(r.get(2).relation()).isEqualTo("prevents");

        List<Relation> pair = parse(TaskType.RELATIONS, "Can you find the link between the 'fall' and the patient's 'hip fracture'?",
                "She sustained a mechanical fall at home, and this fall caused the displaced left intertrochanteric femur "
                        + "fracture (a type of hip fracture).");
        assertThat(pair.get(0).head()).isEqualTo("fall");
        assertThat(texts(pair.get(0).headSpans())).containsExactly("mechanical fall");
        // the note does not say "hip fracture": its part "fracture", widened to the answer's wording of it
        assertThat(texts(pair.get(0).tailSpans())).containsExactly("displaced left intertrochanteric femur fracture");
    }

    @Test
    void aHeadAddedWithTogetherWithIsAHeadOfItsOwn() {
        List<Relation> r = parse(TaskType.RELATIONS, "Identify the connections between the findings and the decisions.",
                "Together with persistent severe-range pressures, this worsening led to the decision to proceed with delivery.");
        assertThat(r).extracting(Relation::head).containsExactly("persistent severe-range pressures");
    }
}
