package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a relation's tail ends, and how heads and tails the note words otherwise are grounded (issue #10). */
class RelationTailTest {
    private static final ClinicalNote NOTE = ClinicalNote.of("Thiamine was given. History of alcohol use disorder. "
            + "Packed red blood cells were transfused for hemoglobin of 7.1. ANC was 300.");

    @SuppressWarnings("unchecked")
    private static List<Relation> parse(String answer) {
        return (List<Relation>) TaskParsers.parse(TaskType.RELATIONS, NOTE, answer).value();
    }

    @Test
    void inAndASettingAfterATwoWordNameIsNotPartOfTheTail() {
        assertThat(parse("- Thiamine: given to prevent Wernicke encephalopathy in alcohol use disorder"))
                .extracting(Relation::head, Relation::tail)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Thiamine", "Wernicke encephalopathy"));
        // "the drop in hemoglobin": "the drop" is not a name, and one word after "in" is the drop's object
        assertThat(parse("- Packed red blood cells - given for the drop in hemoglobin"))
                .extracting(Relation::tail).containsExactly("drop in hemoglobin");
    }

    @Test
    void aTailWithAModifierTheNoteLacksIsGroundedByItsHeadNoun() {
        assertThat(parse("- Filgrastim - given for low ANC")).singleElement().satisfies(r -> {
            assertThat(r.tail()).isEqualTo("low ANC");
            assertThat(r.tailSpans()).extracting(Span::text).containsExactly("ANC");
        });
    }
    @Test
    void aPairAnswerThatDeniesAnyConnectionHasNoRelationWhateverFollows() {
        String q = "Identify the connection between 'thiamine' and 'alcohol use disorder' in this discharge summary.";
        assertThat(TaskParsers.parse(TaskType.RELATIONS, NOTE, q, "The discharge summary does not describe any connection "
                + "between thiamine and the alcohol use disorder. The anemia resolved with transfusion.").value())
                .asList().isEmpty();
        assertThat(TaskParsers.parse(TaskType.RELATIONS, NOTE, q, "There is no direct link stated, but thiamine was given "
                + "because of the alcohol use disorder.").value()).asList().hasSize(1);
    }
}
