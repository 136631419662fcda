package dev.asclepius.spark;

import java.util.Objects;

/**
 * Entry point of the Spark integration.
 *
 * <pre>{@code
 * Dataset<Row> notes = spark.read().parquet("s3://bucket/notes");
 * Dataset<Row> out = Asclepius.forSpark(ModelSpec.remote(URI.create("http://vllm:8000"), "asclepius-13b"))
 *         .tasks(Task.ENTITIES, Task.TIMELINE)
 *         .noteColumn("text").idColumn("note_id")
 *         .transform(notes);
 * }</pre>
 *
 * <p>Each executor JVM opens the model once and shares it between its tasks (a local model is loaded
 * once; a remote one keeps one HTTP client and one concurrency limit), and closes it at JVM exit.
 */
public final class Asclepius {
    private Asclepius() {
    }

    /** A job over notes answered by the model {@code spec} names; choose tasks and columns, then transform. */
    public static SparkTasks forSpark(ModelSpec spec) {
        return new SparkTasks(Objects.requireNonNull(spec, "spec"));
    }
}
