package dev.asclepius.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.asclepius.tasks.Exchange;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import java.time.Duration;
import java.util.Locale;

/**
 * The JSON shape of {@code run} and {@code parse}. The envelope uses snake_case like {@code generate};
 * {@code value} is the task's records by their Java component names (as in docs/tasks.md), with empty
 * Optionals as {@code null}. Durations are seconds (Gson cannot reflect into java.time on Java 17).
 */
final class TaskJson {
    private TaskJson() {
    }

    /** {@code parse}: what a saved answer becomes. */
    static JsonObject parsed(Task task, Object value, Grounding grounding, boolean truncated) {
        JsonObject o = new JsonObject();
        o.addProperty("task", name(task));
        o.add("value", Json.GSON.toJsonTree(value));
        o.add("grounding", grounding(grounding));
        o.addProperty("truncated", truncated);
        return o;
    }

    /** {@code run}: the value plus every question sent and its accounting. */
    static JsonObject result(Task task, TaskResult<?> result) {
        JsonObject o = parsed(task, result.value(), result.grounding(), result.truncated());
        o.add("instructions", Json.GSON.toJsonTree(result.instructions()));
        o.add("raw_responses", Json.GSON.toJsonTree(result.rawResponses()));
        JsonArray finish = new JsonArray();
        result.finishReasons().forEach(f -> finish.add(name(f)));
        o.add("finish_reasons", finish);
        o.addProperty("prompt_tokens", result.promptTokens());
        o.addProperty("generated_tokens", result.generatedTokens());
        o.addProperty("total_seconds", seconds(result.totalTime()));
        JsonArray exchanges = new JsonArray();
        for (Exchange e : result.exchanges()) {
            JsonObject x = new JsonObject();
            x.addProperty("instruction", e.instruction());
            x.addProperty("raw_response", e.rawResponse());
            x.addProperty("finish_reason", name(e.finishReason()));
            x.addProperty("prompt_tokens", e.promptTokens());
            x.addProperty("generated_tokens", e.generatedTokens());
            x.addProperty("prefill_seconds", seconds(e.prefillTime()));
            x.addProperty("decode_seconds", seconds(e.decodeTime()));
            x.addProperty("wall_seconds", seconds(e.wallTime()));
            exchanges.add(x);
        }
        o.add("exchanges", exchanges);
        return o;
    }

    private static JsonObject grounding(Grounding g) {
        JsonObject o = new JsonObject();
        o.addProperty("items", g.items());
        o.addProperty("exact", g.exact());
        o.addProperty("normalized", g.normalized());
        o.addProperty("fuzzy", g.fuzzy());
        o.addProperty("not_found", g.notFound());
        return o;
    }

    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
