package dev.asclepius.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.NoteResult;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The JSON lines {@code asclepius batch} writes: one per note, its results or its error. */
final class BatchOutput {
    private BatchOutput() {
    }

    /** The error line of an input line that is not a usable note (not UTF-8, not JSON, no text field, ...). */
    static JsonObject inputError(NoteResult result, String problem) {
        JsonObject o = new JsonObject();
        o.addProperty("id", result.id());
        JsonObject e = new JsonObject();
        e.addProperty("type", "InvalidInputException");
        e.addProperty("message", problem);
        o.add("error", e);
        o.addProperty("note_seconds", seconds(result.elapsed()));
        return o;
    }

    /** One output line: the note id and either every task's result or the error. */
    static JsonObject line(NoteResult result, Set<Task> taskSet) {
        JsonObject o = new JsonObject();
        o.addProperty("id", result.id());
        if (result instanceof NoteResult.Failure f) {
            JsonObject e = new JsonObject();
            e.addProperty("type", f.errorType());
            e.addProperty("message", f.message());
            o.add("error", e);
            o.addProperty("note_seconds", seconds(f.elapsed()));
            return o;
        }
        Analysis a = ((NoteResult.Success) result).analysis();
        JsonObject results = new JsonObject();
        put(results, Task.ENTITIES, a.entities());
        put(results, Task.ABBREVIATIONS, a.abbreviations());
        put(results, Task.RELATIONS, a.relations());
        put(results, Task.TIMELINE, a.timeline());
        put(results, Task.COREFERENCES, a.coreferences());
        put(results, Task.PARAPHRASE, a.paraphrase());
        put(results, Task.SUMMARY, a.summary());
        o.add("results", results);
        JsonArray answers = new JsonArray();
        for (TaskResult<?> answer : a.answers()) {
            JsonObject x = TaskJson.result(Task.QUESTION_ANSWERING, answer);
            x.addProperty("question", answer.instruction());
            answers.add(x);
        }
        o.add("answers", answers);
        o.addProperty("prompt_tokens", result.promptTokens());
        o.addProperty("generated_tokens", result.generatedTokens());
        o.addProperty("analysis_seconds", seconds(a.wallTime()));
        o.addProperty("note_seconds", seconds(result.elapsed()));
        return o;
    }

    private static void put(JsonObject results, Task task, Optional<? extends TaskResult<?>> result) {
        result.ifPresent(r -> results.add(TaskJson.name(task), TaskJson.result(task, r)));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
