/**
 * Clinical tasks over any {@link dev.asclepius.core.LanguageModel}: {@link dev.asclepius.tasks.AsclepiusClient}
 * (one typed method per task, answers grounded to character offsets of the note) and the parse-quality
 * scorer in {@code eval}. The answer parsers in {@code .internal} are not exported.
 */
module dev.asclepius.tasks {
    requires transitive dev.asclepius.core;     // LanguageModel, GenerationConfig, exceptions are in this API
    requires static transitive org.jspecify;
    requires com.google.gson;

    exports dev.asclepius.tasks;
    exports dev.asclepius.tasks.eval;

    // The CLI writes task results (records) as JSON with Gson, which reads their components by reflection.
    opens dev.asclepius.tasks to com.google.gson;
    opens dev.asclepius.tasks.eval to com.google.gson;
}
