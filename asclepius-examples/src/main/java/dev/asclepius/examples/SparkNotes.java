package dev.asclepius.examples;

import dev.asclepius.core.Device;
import dev.asclepius.spark.Asclepius;
import dev.asclepius.spark.ModelSpec;
import dev.asclepius.tasks.Task;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Typed clinical tasks over a JSONL file of notes on Spark, written as Parquet:
 *
 * <pre>
 * spark-submit --class dev.asclepius.examples.SparkNotes --jars "$(ls asclepius-examples/target/lib/*.jar | tr '\n' ',')" \
 *     asclepius-examples/target/asclepius.jar --remote http://vllm:8000 asclepius-13b \
 *     --tasks entities,timeline notes.jsonl out.parquet
 * </pre>
 *
 * Each input line is a JSON object with {@code note_id} and {@code text}. Model: {@code --model DIR [--device gpu:0]}
 * (loaded once per executor) or {@code --remote URI NAME} (an OpenAI-compatible server; {@code --token-ids} asks it
 * for the generated ids, which vLLM 0.10.2+ and {@code asclepius serve} return, so tokens are counted). Prints a summary:
 * notes, successes, failures by error type, tokens, and entities and timeline events found.
 * Without a master from spark-submit it runs in {@code local[*]}.
 */
public final class SparkNotes {
    private SparkNotes() {
    }

    /** What a run wrote, as printed. */
    public record Summary(long notes, long ok, Map<String, Long> errorsByType, long promptTokens, long generatedTokens,
                          long entities, long timelineEvents) {
    }

    public static void main(String[] args) {
        ModelSpec spec = null;
        Set<Task> tasks = EnumSet.of(Task.ENTITIES, Task.TIMELINE);
        int maxNewTokens = 400;
        List<String> positional = new ArrayList<>();
        Device device = Device.cpu();
        String modelDir = null;
        boolean tokenIds = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> modelDir = args[++i];
                case "--device" -> device = Device.parse(args[++i]);
                case "--remote" -> {
                    spec = ModelSpec.remote(URI.create(args[i + 1]), args[i + 2]);
                    i += 2;
                }
                case "--tasks" -> {
                    tasks = EnumSet.noneOf(Task.class);
                    for (String t : args[++i].split(",")) {
                        tasks.add(Task.parse(t));
                    }
                }
                case "--max-new-tokens" -> maxNewTokens = Integer.parseInt(args[++i]);
                case "--token-ids" -> tokenIds = true;
                default -> positional.add(args[i]);
            }
        }
        if (modelDir != null) {
            spec = ModelSpec.local(Path.of(modelDir), device);
        } else if (spec != null && tokenIds) {
            spec = spec.withRequestTokenIds(true);
        }
        if (spec == null || positional.size() != 2) {
            System.err.println("usage: SparkNotes (--model DIR [--device gpu:0] | --remote URI NAME [--token-ids]) "
                    + "[--tasks entities,timeline] [--max-new-tokens N] INPUT.jsonl OUTPUT.parquet");
            System.exit(2);
        }
        SparkSession.Builder builder = SparkSession.builder().appName("asclepius-notes");
        if (System.getProperty("spark.master") == null) {   // spark-submit sets it; a plain `java` run does not
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            run(spark, spec, tasks, maxNewTokens, positional.get(0), positional.get(1), System.out);
        } finally {
            spark.stop();
        }
    }

    /** Reads {@code input} (JSONL: note_id, text), runs the tasks, writes {@code output} (Parquet), prints a summary. */
    public static Summary run(SparkSession spark, ModelSpec spec, Set<Task> tasks, int maxNewTokens, String input,
                              String output, PrintStream out) {
        long start = System.nanoTime();
        Dataset<Row> notes = spark.read().schema("note_id STRING, text STRING").json(input);
        Dataset<Row> results = Asclepius.forSpark(spec).tasks(tasks).maxNewTokens(maxNewTokens)
                .noteColumn("text").idColumn("note_id")
                .transform(notes);
        // Parquet gets the records, not the note text again (it is in the input already).
        results.drop("text").write().mode(SaveMode.Overwrite).parquet(output);

        // The summary reads the written files: the model ran once, during the write.
        Dataset<Row> written = spark.read().parquet(output);
        Row totals = written.agg(
                functions.count(functions.lit(1)),
                functions.count(functions.when(functions.col("error").isNull(), 1)),
                functions.coalesce(functions.sum("prompt_tokens"), functions.lit(0L)),
                functions.coalesce(functions.sum("generated_tokens"), functions.lit(0L)),
                tasks.contains(Task.ENTITIES)
                        ? functions.coalesce(functions.sum(functions.size(functions.col("entities"))
                                .multiply(functions.col("error").isNull().cast("int"))), functions.lit(0L))
                        : functions.lit(0L),
                tasks.contains(Task.TIMELINE)
                        ? functions.coalesce(functions.sum(functions.size(functions.col("timeline"))
                                .multiply(functions.col("error").isNull().cast("int"))), functions.lit(0L))
                        : functions.lit(0L)).first();
        Map<String, Long> errors = new LinkedHashMap<>();
        for (Row r : written.filter("error IS NOT NULL").groupBy("error.type").count().orderBy("type").collectAsList()) {
            errors.put(r.getString(0), r.getLong(1));
        }
        Summary summary = new Summary(totals.getLong(0), totals.getLong(1), errors, totals.getLong(2), totals.getLong(3),
                ((Number) totals.get(4)).longValue(), ((Number) totals.get(5)).longValue());
        out.printf("notes: %d, ok: %d, failed: %d %s%n", summary.notes(), summary.ok(), summary.notes() - summary.ok(),
                summary.errorsByType());
        out.printf("tokens: %d prompt, %d generated%n", summary.promptTokens(), summary.generatedTokens());
        out.printf("entities: %d, timeline events: %d%n", summary.entities(), summary.timelineEvents());
        out.printf("wrote %s in %.1f s%n", output, (System.nanoTime() - start) / 1e9);
        return summary;
    }
}
