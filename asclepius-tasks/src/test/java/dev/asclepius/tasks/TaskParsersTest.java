package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskParsersTest {

    @Test
    void reparsesSavedAnswersForEveryTask() {
        Parsed<?> entities = TaskParsers.parse(Task.ENTITIES, Fixtures.NOTE, "Medications: metformin 500 mg BID, lisinopril\nmystery item");
        assertThat(entities.value()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(Entity.class))
                .extracting(Entity::type).containsExactly(EntityType.MEDICATION, EntityType.MEDICATION, EntityType.MEDICATION);
        Parsed<?> plain = TaskParsers.parse(Task.ENTITIES, Fixtures.NOTE, "- Hypertension");
        assertThat((List<?>) plain.value()).singleElement().extracting(e -> ((Entity) e).type()).isEqualTo(EntityType.OTHER);
        assertThat(plain.grounding()).isEqualTo(new Grounding(0, 1, 0, 0)); // the note writes "hypertension"

        assertThat(TaskParsers.parse(Task.ABBREVIATIONS, Fixtures.NOTE, "CHF: congestive heart failure").value()).isInstanceOf(List.class);
        assertThat(TaskParsers.parse(Task.RELATIONS, Fixtures.NOTE, "Metformin - treats - diabetes").value()).isInstanceOf(List.class);
        assertThat(TaskParsers.parse(Task.TIMELINE, Fixtures.NOTE, "Admission: 03/14/2019").value()).isInstanceOf(Timeline.class);
        assertThat(TaskParsers.parse(Task.COREFERENCES, Fixtures.NOTE, "He - the patient").value()).isInstanceOf(List.class);
        assertThat(TaskParsers.parse(Task.PARAPHRASE, Fixtures.NOTE, "Simple words.").value()).isInstanceOf(Paraphrase.class);
        assertThat(TaskParsers.parse(Task.SUMMARY, Fixtures.NOTE, "Short.").value()).isInstanceOf(Summary.class);
        assertThat(TaskParsers.parse(Task.QUESTION_ANSWERING, Fixtures.NOTE, "Yes.").value()).isInstanceOf(Answer.class);
    }

    @Test
    void truncatedFlagDropsTheCutLine() {
        Parsed<?> p = TaskParsers.parse(Task.ABBREVIATIONS, Fixtures.NOTE, "CHF: congestive heart failure\nHTN: hyperten", true);
        assertThat((List<?>) p.value()).hasSize(1);
    }

    @Test
    void taskNamesParseAsTheCommandLineWritesThem() {
        assertThat(Task.parse("qa")).isEqualTo(Task.QUESTION_ANSWERING);
        assertThat(Task.parse("Entities")).isEqualTo(Task.ENTITIES);
        assertThat(Task.parse("summarize")).isEqualTo(Task.SUMMARY);
        assertThatThrownBy(() -> Task.parse("translate")).isInstanceOf(InvalidInputException.class);
    }
}
