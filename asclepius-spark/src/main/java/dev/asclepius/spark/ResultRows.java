package dev.asclepius.spark;

import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Exchange;
import dev.asclepius.tasks.NoteResult;
import dev.asclepius.tasks.Paraphrase;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Summary;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import dev.asclepius.tasks.TimelineEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The result columns: each task's records as Spark structs and arrays with the records' fields (snake
 * case; an empty {@code Optional} is null, an enum its name), then the raw exchanges, token counts,
 * timings and the error. Only the requested tasks get a column.
 */
final class ResultRows {
    static final StructType SPAN = struct(
            field("begin", DataTypes.IntegerType, false), field("end", DataTypes.IntegerType, false),
            field("text", DataTypes.StringType, false), field("match", DataTypes.StringType, false));
    static final ArrayType SPANS = DataTypes.createArrayType(SPAN, false);
    static final ArrayType STRINGS = DataTypes.createArrayType(DataTypes.StringType, false);

    static final StructType ENTITY = struct(
            field("text", DataTypes.StringType, false), field("type", DataTypes.StringType, false),
            field("dosage", DataTypes.StringType, true), field("result", DataTypes.StringType, true),
            field("status", DataTypes.StringType, true), field("spans", SPANS, false));
    static final StructType ABBREVIATION = struct(
            field("short_form", DataTypes.StringType, false), field("expansion", DataTypes.StringType, false),
            field("spans", SPANS, false));
    static final StructType RELATION = struct(
            field("head", DataTypes.StringType, false), field("relation", DataTypes.StringType, false),
            field("tail", DataTypes.StringType, false), field("explanation", DataTypes.StringType, false),
            field("head_spans", SPANS, false), field("tail_spans", SPANS, false));
    static final StructType TIMELINE_EVENT = struct(
            field("order", DataTypes.IntegerType, false), field("event", DataTypes.StringType, false),
            field("time_expression", DataTypes.StringType, false),
            field("normalized_kind", DataTypes.StringType, true), field("normalized_value", DataTypes.StringType, true),
            field("event_spans", SPANS, false), field("time_spans", SPANS, false));
    static final StructType COREFERENCE = struct(
            field("referent", DataTypes.StringType, false), field("mentions", STRINGS, false),
            field("referent_spans", SPANS, false), field("mention_spans", SPANS, false));
    static final StructType PARAPHRASE = struct(
            field("original", DataTypes.StringType, true), field("text", DataTypes.StringType, false),
            field("original_spans", SPANS, false));
    static final StructType SUMMARY = struct(
            field("text", DataTypes.StringType, false), field("key_points", STRINGS, false));
    static final StructType EVIDENCE = struct(
            field("quote", DataTypes.StringType, false), field("spans", SPANS, false));
    static final StructType ANSWER = struct(
            field("question", DataTypes.StringType, false), field("text", DataTypes.StringType, false),
            field("found", DataTypes.BooleanType, false),
            field("evidence", DataTypes.createArrayType(EVIDENCE, false), false));
    /** One question sent and its raw answer (deterministic under greedy decoding: no times here). */
    static final StructType EXCHANGE = struct(
            field("task", DataTypes.StringType, false), field("instruction", DataTypes.StringType, false),
            field("raw_response", DataTypes.StringType, false), field("finish_reason", DataTypes.StringType, false),
            field("prompt_tokens", DataTypes.IntegerType, false), field("generated_tokens", DataTypes.IntegerType, false));
    /** Wall-clock times: the only columns that differ between two runs over the same notes. */
    static final StructType TIMING = struct(
            field("elapsed_ms", DataTypes.DoubleType, false), field("prefill_ms", DataTypes.DoubleType, false),
            field("decode_ms", DataTypes.DoubleType, false));
    static final StructType ERROR = struct(
            field("type", DataTypes.StringType, false), field("message", DataTypes.StringType, false));

    private final List<Task> tasks;       // requested whole-note tasks, in Task order
    private final boolean answers;
    private final String prefix;

    ResultRows(Set<Task> tasks, boolean answers, String prefix) {
        List<Task> list = new ArrayList<>();
        for (Task t : Task.values()) {
            if (tasks.contains(t) && t != Task.QUESTION_ANSWERING) {
                list.add(t);
            }
        }
        this.tasks = List.copyOf(list);
        this.answers = answers;
        this.prefix = prefix;
    }

    /** The result fields, in column order. */
    StructType schema() {
        List<StructField> fields = new ArrayList<>();
        for (Task t : tasks) {
            fields.add(field(prefix + columnName(t), taskType(t), true));
        }
        if (answers) {
            fields.add(field(prefix + "answers", DataTypes.createArrayType(ANSWER, false), true));
        }
        fields.add(field(prefix + "exchanges", DataTypes.createArrayType(EXCHANGE, false), false));
        fields.add(field(prefix + "prompt_tokens", DataTypes.IntegerType, false));
        fields.add(field(prefix + "generated_tokens", DataTypes.IntegerType, false));
        fields.add(field(prefix + "timing", TIMING, false));
        fields.add(field(prefix + "error", ERROR, true));
        return new StructType(fields.toArray(StructField[]::new));
    }

    static String columnName(Task t) {
        return switch (t) {
            case ENTITIES -> "entities";
            case ABBREVIATIONS -> "abbreviations";
            case RELATIONS -> "relations";
            case TIMELINE -> "timeline";
            case COREFERENCES -> "coreferences";
            case PARAPHRASE -> "paraphrase";
            case SUMMARY -> "summary";
            case QUESTION_ANSWERING -> "answers";
        };
    }

    private static DataType taskType(Task t) {
        return switch (t) {
            case ENTITIES -> DataTypes.createArrayType(ENTITY, false);
            case ABBREVIATIONS -> DataTypes.createArrayType(ABBREVIATION, false);
            case RELATIONS -> DataTypes.createArrayType(RELATION, false);
            case TIMELINE -> DataTypes.createArrayType(TIMELINE_EVENT, false);
            case COREFERENCES -> DataTypes.createArrayType(COREFERENCE, false);
            case PARAPHRASE -> PARAPHRASE;
            case SUMMARY -> SUMMARY;
            case QUESTION_ANSWERING -> throw new IllegalArgumentException("answers have their own column");
        };
    }

    /** The result values of one note, in {@link #schema()} order. */
    Object[] values(NoteResult result) {
        int n = tasks.size() + (answers ? 1 : 0);
        Object[] out = new Object[n + 5];
        if (result instanceof NoteResult.Success s) {
            Analysis a = s.analysis();
            for (int i = 0; i < tasks.size(); i++) {
                out[i] = taskValue(a, tasks.get(i));
            }
            if (answers) {
                out[tasks.size()] = seq(a.answers(), r -> answer(r));
            }
            List<Object> exchanges = new ArrayList<>();
            double prefill = 0;
            double decode = 0;
            for (TaskResult<?> r : a.all()) {
                String task = taskName(a, r);
                for (Exchange e : r.exchanges()) {
                    exchanges.add(RowFactory.create(task, e.instruction(), e.rawResponse(), e.finishReason().name(),
                            e.promptTokens(), e.generatedTokens()));
                    prefill += millis(e.prefillTime());
                    decode += millis(e.decodeTime());
                }
            }
            out[n] = seq(exchanges, x -> x);
            out[n + 1] = s.promptTokens();
            out[n + 2] = s.generatedTokens();
            out[n + 3] = RowFactory.create(millis(s.elapsed()), prefill, decode);
            out[n + 4] = null;
        } else {
            NoteResult.Failure f = (NoteResult.Failure) result;
            out[n] = seq(List.of(), x -> x);
            out[n + 1] = 0;
            out[n + 2] = 0;
            out[n + 3] = RowFactory.create(millis(f.elapsed()), 0.0, 0.0);
            out[n + 4] = RowFactory.create(f.errorType(), f.message());
        }
        return out;
    }

    /** Which slot of the analysis {@code r} sits in, as the exchange's task name. */
    private static String taskName(Analysis a, TaskResult<?> r) {
        if (a.entities().orElse(null) == r) return "entities";
        if (a.abbreviations().orElse(null) == r) return "abbreviations";
        if (a.relations().orElse(null) == r) return "relations";
        if (a.timeline().orElse(null) == r) return "timeline";
        if (a.coreferences().orElse(null) == r) return "coreferences";
        if (a.paraphrase().orElse(null) == r) return "paraphrase";
        if (a.summary().orElse(null) == r) return "summary";
        return "question";
    }

    private static Object taskValue(Analysis a, Task t) {
        return switch (t) {
            case ENTITIES -> a.entities().map(r -> seq(r.value(), ResultRows::entity)).orElse(null);
            case ABBREVIATIONS -> a.abbreviations().map(r -> seq(r.value(), ResultRows::abbreviation)).orElse(null);
            case RELATIONS -> a.relations().map(r -> seq(r.value(), ResultRows::relation)).orElse(null);
            case TIMELINE -> a.timeline().map(r -> seq(r.value().events(), ResultRows::event)).orElse(null);
            case COREFERENCES -> a.coreferences().map(r -> seq(r.value(), ResultRows::coreference)).orElse(null);
            case PARAPHRASE -> a.paraphrase().map(r -> paraphrase(r.value())).orElse(null);
            case SUMMARY -> a.summary().map(r -> summary(r.value())).orElse(null);
            case QUESTION_ANSWERING -> throw new IllegalArgumentException("answers have their own column");
        };
    }

    static Row entity(Entity e) {
        return RowFactory.create(e.text(), e.type().name(), e.dosage().orElse(null), e.result().orElse(null),
                e.status().map(Enum::name).orElse(null), spans(e.spans()));
    }

    static Row abbreviation(Abbreviation a) {
        return RowFactory.create(a.shortForm(), a.expansion(), spans(a.spans()));
    }

    static Row relation(Relation r) {
        return RowFactory.create(r.head(), r.relation(), r.tail(), r.explanation(), spans(r.headSpans()),
                spans(r.tailSpans()));
    }

    static Row event(TimelineEvent e) {
        return RowFactory.create(e.order(), e.event(), e.timeExpression(),
                e.normalized().map(v -> v.kind().name()).orElse(null), e.normalized().map(v -> v.value()).orElse(null),
                spans(e.eventSpans()), spans(e.timeSpans()));
    }

    static Row coreference(CoreferenceChain c) {
        return RowFactory.create(c.referent(), seq(c.mentions(), m -> m), spans(c.referentSpans()),
                spans(c.mentionSpans()));
    }

    static Row paraphrase(Paraphrase p) {
        return RowFactory.create(p.original().orElse(null), p.text(), spans(p.originalSpans()));
    }

    static Row summary(Summary s) {
        return RowFactory.create(s.text(), seq(s.keyPoints(), k -> k));
    }

    static Row answer(TaskResult<Answer> r) {
        Answer a = r.value();
        return RowFactory.create(r.instruction(), a.text(), a.found(), seq(a.evidence(), ResultRows::evidence));
    }

    static Row evidence(Evidence e) {
        return RowFactory.create(e.quote(), spans(e.spans()));
    }

    static Object spans(List<Span> spans) {
        return seq(spans, s -> RowFactory.create(s.begin(), s.end(), s.text(), s.match().name()));
    }

    /** A Spark array value: a Scala sequence (what Spark's row encoder accepts for every array type). */
    static <T> Object seq(List<T> items, Function<T, Object> convert) {
        List<Object> out = new ArrayList<>(items.size());
        for (T item : items) {
            out.add(convert.apply(item));
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq();
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    static Optional<String> nameClash(StructType input, StructType result) {
        for (String name : result.fieldNames()) {
            for (String existing : input.fieldNames()) {
                if (existing.equalsIgnoreCase(name)) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    private static StructType struct(StructField... fields) {
        return DataTypes.createStructType(fields);
    }
}
