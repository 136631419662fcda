package dev.asclepius.spark.testing;

import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.TaskResult;
import dev.asclepius.tasks.TimelineEvent;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Exchange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Test-side expectations written independently of the module's own row conversion: records to plain
 * nested lists (field by field, in the documented column order) and Spark values to the same shape.
 */
public final class SparkRows {
    private SparkRows() {
    }

    /** One SparkSession per test class: local[2] with up to 4 attempts per task, no UI, quiet logs. */
    public static SparkSession session(String name) {
        SparkSession spark = SparkSession.builder().appName(name).master("local[2,4]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        return spark;
    }

    /** A Spark value (Row, array, scalar) as plain Java: rows and arrays become lists. */
    public static Object plain(Object value) {
        if (value instanceof Row row) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < row.length(); i++) {
                out.add(plain(row.get(i)));
            }
            return out;
        }
        if (value instanceof scala.collection.Seq<?> seq) {
            List<Object> out = new ArrayList<>();
            scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value;
    }

    public static List<Object> spans(List<Span> spans) {
        List<Object> out = new ArrayList<>();
        for (Span s : spans) {
            out.add(Arrays.asList(s.begin(), s.end(), s.text(), s.match().name()));
        }
        return out;
    }

    public static List<Object> entities(TaskResult<List<Entity>> r) {
        List<Object> out = new ArrayList<>();
        for (Entity e : r.value()) {
            out.add(Arrays.asList(e.text(), e.type().name(), e.dosage().orElse(null), e.result().orElse(null),
                    e.status().map(Enum::name).orElse(null), spans(e.spans())));
        }
        return out;
    }

    public static List<Object> timeline(TaskResult<dev.asclepius.tasks.Timeline> r) {
        List<Object> out = new ArrayList<>();
        for (TimelineEvent e : r.value().events()) {
            out.add(Arrays.asList(e.order(), e.event(), e.timeExpression(),
                    e.normalized().map(n -> n.kind().name()).orElse(null), e.normalized().map(n -> n.value()).orElse(null),
                    spans(e.eventSpans()), spans(e.timeSpans())));
        }
        return out;
    }

    public static List<Object> answer(TaskResult<Answer> r) {
        List<Object> evidence = new ArrayList<>();
        for (Evidence e : r.value().evidence()) {
            evidence.add(Arrays.asList(e.quote(), spans(e.spans())));
        }
        return Arrays.asList(r.instruction(), r.value().text(), r.value().found(), evidence);
    }

    /** The exchanges column's expectation: task name, instruction, raw answer, finish reason, token counts. */
    public static List<Object> exchanges(Analysis a) {
        List<Object> out = new ArrayList<>();
        a.entities().ifPresent(r -> addExchanges(out, "entities", r));
        a.timeline().ifPresent(r -> addExchanges(out, "timeline", r));
        a.answers().forEach(r -> addExchanges(out, "question", r));
        return out;
    }

    private static void addExchanges(List<Object> out, String task, TaskResult<?> r) {
        for (Exchange e : r.exchanges()) {
            out.add(Arrays.asList(task, e.instruction(), e.rawResponse(), e.finishReason().name(), e.promptTokens(),
                    e.generatedTokens()));
        }
    }
}
