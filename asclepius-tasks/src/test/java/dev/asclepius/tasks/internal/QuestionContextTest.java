package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.EntityType;
import dev.asclepius.tasks.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuestionContextTest {

    @Test
    void theClientsOwnQuestionsGiveBackWhatTheyAsk() {
        for (EntityType type : List.of(EntityType.CONDITION, EntityType.MEDICATION, EntityType.TEST, EntityType.PROCEDURE,
                EntityType.LIFESTYLE_FACTOR)) {
            assertThat(QuestionContext.of(Task.ENTITIES, EntityTask.question(type)).entityType()).contains(type);
        }
        assertThat(QuestionContext.of(Task.ABBREVIATIONS, AbbreviationTask.oneQuestion("b.i.d.")).target()).contains("b.i.d.");
        assertThat(QuestionContext.of(Task.ABBREVIATIONS, AbbreviationTask.ALL_QUESTION).target()).isEmpty();
        assertThat(QuestionContext.of(Task.RELATIONS, RelationTask.pairQuestion("Crohn's disease", "infliximab")).pair())
                .contains(List.of("Crohn's disease", "infliximab"));
        assertThat(QuestionContext.of(Task.RELATIONS, RelationTask.ALL_QUESTION).pair()).isEmpty();
        assertThat(QuestionContext.of(Task.COREFERENCES, CoreferenceTask.oneQuestion("this medication")).target())
                .contains("this medication");
        assertThat(QuestionContext.of(Task.COREFERENCES, CoreferenceTask.ALL_QUESTION).target()).isEmpty();
        String sentence = "The patient's BP was 150/90, and he'd 'felt fine' at home.";
        assertThat(QuestionContext.of(Task.PARAPHRASE, ParaphraseTask.sentenceQuestion(sentence)).target())
                .contains("The patient's BP was 150/90, and he'd 'felt fine' at home.");
        assertThat(QuestionContext.of(Task.PARAPHRASE, ParaphraseTask.NOTE_QUESTION).target()).isEmpty();
        assertThat(QuestionContext.of(Task.SUMMARY, SummaryTask.focusQuestion("medication changes")).focus())
                .contains("medication changes");
    }

    @Test
    void questionsWrittenOtherwise() {
        assertThat(QuestionContext.of(Task.ENTITIES, "What diagnostic tests were performed and what did they show?").entityType())
                .contains(EntityType.TEST);
        assertThat(QuestionContext.of(Task.ENTITIES, "List the medications the patient was discharged on with doses.").entityType())
                .contains(EntityType.MEDICATION);
        assertThat(QuestionContext.of(Task.ENTITIES, "Does the patient smoke or drink alcohol?").entityType())
                .contains(EntityType.LIFESTYLE_FACTOR);
        assertThat(QuestionContext.of(Task.ENTITIES, "What medical conditions does the patient have?").entityType())
                .contains(EntityType.CONDITION);
        assertThat(QuestionContext.of(Task.ENTITIES, "List all the medications and tests.").entityType()).isEmpty();
        assertThat(QuestionContext.of(Task.RELATIONS, "What is the connection between metoprolol and atrial fibrillation in this patient?").pair())
                .contains(List.of("metoprolol", "atrial fibrillation"));
        assertThat(QuestionContext.of(Task.RELATIONS, "How is the heparin drip related to the pulmonary embolism?").pair())
                .contains(List.of("heparin drip", "pulmonary embolism"));
        assertThat(QuestionContext.of(Task.ABBREVIATIONS, "What does CABG stand for in this note?").target()).contains("CABG");
        assertThat(QuestionContext.of(Task.ABBREVIATIONS, "What is the meaning of \"NPO\"?").target()).contains("NPO");
        assertThat(QuestionContext.of(Task.COREFERENCES, "What does \"it\" refer to in the sentence 'It was held'?").target())
                .contains("it"); // two quotes: the one the question asks about
        assertThat(QuestionContext.of(Task.COREFERENCES, "Who does she refer to in the hospital course?").target()).contains("she");
        assertThat(QuestionContext.of(Task.COREFERENCES, "Resolve all the pronouns in the discharge summary.").target()).isEmpty();
        assertThat(QuestionContext.of(Task.SUMMARY, "Summarize the information about the patient's anticoagulation in the discharge summary.")
                .focus()).contains("anticoagulation");
        assertThat(QuestionContext.of(Task.ENTITIES, " ")).isEqualTo(QuestionContext.NONE);
    }
}
