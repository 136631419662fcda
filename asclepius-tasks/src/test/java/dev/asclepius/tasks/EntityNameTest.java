package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What an entity's name is, and where an entity the note abbreviates is grounded (issue #10). */
class EntityNameTest {
    private static final ClinicalNote NOTE = ClinicalNote.of("PMH: HTN, CHF. Diffuse large B-cell lymphoma, stage III. "
            + "Started on regular insulin infusion and alteplase. Viral URI preceded the exacerbation.");

    @SuppressWarnings("unchecked")
    private static List<Entity> parse(String question, String answer) {
        return (List<Entity>) TaskParsers.parse(TaskType.ENTITIES, NOTE, question, answer).value();
    }

    @Test
    void aDrugIsNamedWithoutItsRouteAndForm() {
        List<Entity> meds = parse("What medications were given?", "1. IV regular insulin infusion\n2. IV alteplase (tPA)");
        assertThat(meds).extracting(Entity::text).containsExactly("regular insulin", "alteplase");
        assertThat(meds.get(0).spans()).extracting(Span::text).containsExactly("regular insulin");
    }

    @Test
    void anAbbreviationTheAnswerDefinesEndsTheTermAndTheNotesAbbreviationGroundsIt() {
        List<Entity> conditions = parse("What conditions does the patient have?", """
                - Diffuse large B-cell lymphoma (DLBCL), stage III
                - Hypertension (HTN)
                - Congestive heart failure (CHF) with EF 40%
                - Triggered by viral URI""");
        assertThat(conditions).extracting(Entity::text).containsExactly("Diffuse large B-cell lymphoma", "Hypertension",
                "Congestive heart failure", "viral URI");
        assertThat(conditions).extracting(e -> e.spans().stream().map(Span::text).toList()).containsExactly(
                List.of("Diffuse large B-cell lymphoma"), List.of("HTN"), List.of("CHF"), List.of("Viral URI"));
    }
}
