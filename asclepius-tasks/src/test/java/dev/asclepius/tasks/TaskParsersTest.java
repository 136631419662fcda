package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskParsersTest {

    @Test
    void reparsesSavedAnswersForEveryTaskAsItsTypedValue() {
        List<Entity> entities = TaskParsers.parse(TaskType.ENTITIES, Fixtures.NOTE,
                "Medications: metformin 500 mg BID, lisinopril\nmystery item").value();
        assertThat(entities).extracting(Entity::type)
                .containsExactly(EntityType.MEDICATION, EntityType.MEDICATION, EntityType.MEDICATION);
        Parsed<List<Entity>> plain = TaskParsers.parse(TaskType.ENTITIES, Fixtures.NOTE, "- Hypertension");
        assertThat(plain.value()).singleElement().extracting(Entity::type).isEqualTo(EntityType.OTHER);
        assertThat(plain.grounding()).isEqualTo(new Grounding(0, 1, 0, 0)); // the note writes "hypertension"
        assertThat(plain.task()).isEqualTo(Task.ENTITIES);

        List<Abbreviation> abbreviations = TaskParsers.parse(TaskType.ABBREVIATIONS, Fixtures.NOTE,
                "CHF: congestive heart failure").value();
        assertThat(abbreviations).extracting(Abbreviation::shortForm).containsExactly("CHF");
        List<Relation> relations = TaskParsers.parse(TaskType.RELATIONS, Fixtures.NOTE, "Metformin - treats - diabetes").value();
        assertThat(relations).extracting(Relation::head).containsExactly("Metformin");
        Timeline timeline = TaskParsers.parse(TaskType.TIMELINE, Fixtures.NOTE, "Admission: 03/14/2019").value();
        assertThat(timeline.events()).isNotEmpty();
        List<CoreferenceChain> chains = TaskParsers.parse(TaskType.COREFERENCES, Fixtures.NOTE, "He - the patient").value();
        assertThat(chains).hasSize(1);
        Paraphrase paraphrase = TaskParsers.parse(TaskType.PARAPHRASE, Fixtures.NOTE, "Simple words.").value();
        assertThat(paraphrase.text()).isEqualTo("Simple words.");
        Summary summary = TaskParsers.parse(TaskType.SUMMARY, Fixtures.NOTE, "Short.").value();
        assertThat(summary.text()).isEqualTo("Short.");
        Answer answer = TaskParsers.parse(TaskType.QUESTION_ANSWERING, Fixtures.NOTE, "Yes.").value();
        assertThat(answer.text()).isEqualTo("Yes.");
    }

    @Test
    void eachTaskChosenAtRunTimeMapsToItsTypedConstant() {
        for (Task task : Task.values()) {
            TaskType<?> type = TaskType.of(task);
            assertThat(type.task()).isEqualTo(task);
            assertThat(type.toString()).isEqualTo(task.name());
        }
        assertThat(TaskType.of(Task.ENTITIES)).isSameAs(TaskType.ENTITIES);
        assertThat(TaskType.of(Task.QUESTION_ANSWERING)).isSameAs(TaskType.QUESTION_ANSWERING);
        // a run-time task parses to the same value as its constant
        Parsed<?> dynamic = TaskParsers.parse(TaskType.of(Task.ENTITIES), Fixtures.NOTE, "- Hypertension");
        assertThat(dynamic).isEqualTo(TaskParsers.parse(TaskType.ENTITIES, Fixtures.NOTE, "- Hypertension"));
    }

    @Test
    void truncatedFlagDropsTheCutLine() {
        Parsed<List<Abbreviation>> p = TaskParsers.parse(TaskType.ABBREVIATIONS, Fixtures.NOTE,
                "CHF: congestive heart failure\nHTN: hyperten", true);
        assertThat(p.value()).hasSize(1);
    }

    @Test
    void taskNamesParseAsTheCommandLineWritesThem() {
        assertThat(Task.parse("qa")).isEqualTo(Task.QUESTION_ANSWERING);
        assertThat(Task.parse("Entities")).isEqualTo(Task.ENTITIES);
        assertThat(Task.parse("summarize")).isEqualTo(Task.SUMMARY);
        assertThatThrownBy(() -> Task.parse("translate")).isInstanceOf(InvalidInputException.class);
    }
}
