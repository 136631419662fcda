package dev.asclepius.tasks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every requested task's result for one note, from {@link AsclepiusClient#analyze}. A task that was not
 * requested is empty; {@code answers} holds one result per question, in the order asked.
 *
 * @param wallTime time for the whole analysis (all questions were generated together)
 */
public record Analysis(
        ClinicalNote note,
        Optional<TaskResult<List<Entity>>> entities,
        Optional<TaskResult<List<Abbreviation>>> abbreviations,
        Optional<TaskResult<List<Relation>>> relations,
        Optional<TaskResult<Timeline>> timeline,
        Optional<TaskResult<List<CoreferenceChain>>> coreferences,
        Optional<TaskResult<Paraphrase>> paraphrase,
        Optional<TaskResult<Summary>> summary,
        List<TaskResult<Answer>> answers,
        Duration wallTime) {

    public Analysis {
        answers = List.copyOf(answers);
    }

    /** Tokens generated over every question of the analysis. */
    public int generatedTokens() {
        return all().stream().mapToInt(TaskResult::generatedTokens).sum();
    }

    /** Every task result present, in task order then the answers. */
    public List<TaskResult<?>> all() {
        List<TaskResult<?>> out = new java.util.ArrayList<>();
        entities.ifPresent(out::add);
        abbreviations.ifPresent(out::add);
        relations.ifPresent(out::add);
        timeline.ifPresent(out::add);
        coreferences.ifPresent(out::add);
        paraphrase.ifPresent(out::add);
        summary.ifPresent(out::add);
        out.addAll(answers);
        return out;
    }
}
