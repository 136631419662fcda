package dev.asclepius.spark;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.NoteInput;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A clinical-task job over a Dataset of notes: which tasks, which columns, how to generate. Made by
 * {@link Asclepius#forSpark(ModelSpec)}; the setters return this builder.
 *
 * <p>{@link #transform(Dataset)} appends result columns to every row (see docs/spark.md for their
 * types): one per requested task ({@code entities}, {@code abbreviations}, {@code relations},
 * {@code timeline}, {@code coreferences}, {@code paraphrase}, {@code summary}, and {@code answers} for
 * free questions) holding the task's records as structs, then {@code exchanges} (each question sent and
 * its raw answer), {@code prompt_tokens}, {@code generated_tokens}, {@code timing} and {@code error}
 * (null, or the type and message of what made the note fail: a bad note never fails the job).
 *
 * <p>Decoding is greedy by default, so a task Spark re-executes (a retry, a speculative copy) produces
 * the same rows; with {@link #sampling(float, float, long)} each note draws from a seed derived from its
 * id (or text), which keeps that property.
 */
public final class SparkTasks {
    private static final AtomicInteger JOBS = new AtomicInteger();

    private final ModelSpec spec;
    private final EnumSet<Task> tasks = EnumSet.noneOf(Task.class);
    private final List<String> questions = new ArrayList<>();
    private String noteColumn = "text";
    private String idColumn = "";
    private int maxNewTokens = GenerationConfig.DEFAULT_MAX_NEW_TOKENS;
    private float temperature;
    private float topP = 1f;
    private long seed;
    private int concurrency;
    private String prefix = "";
    private boolean checkModel = true;
    private Progress lastProgress;      // the last transform's counters (tests read them)

    SparkTasks(ModelSpec spec) {
        this.spec = spec;
    }

    /** The tasks to run on every note (replacing earlier ones); several are answered by one {@code analyze} per note. */
    public SparkTasks tasks(Task... value) {
        return tasks(EnumSet.copyOf(Arrays.asList(requireNonEmpty(value))));
    }

    public SparkTasks tasks(Set<Task> value) {
        tasks.clear();
        tasks.addAll(Objects.requireNonNull(value, "tasks"));
        return this;
    }

    /** Free questions asked of every note (replacing earlier ones); their answers fill the {@code answers} column. */
    public SparkTasks questions(String... value) {
        questions.clear();
        for (String q : Objects.requireNonNull(value, "questions")) {
            if (q == null || q.isBlank()) {
                throw new InvalidInputException("A question is empty");
            }
            questions.add(q.strip());
        }
        return this;
    }

    /** The string column holding the note's text (default {@code text}). */
    public SparkTasks noteColumn(String value) {
        this.noteColumn = requireName(value, "noteColumn");
        return this;
    }

    /** A column identifying each note (any type, compared as its string form): the seed of sampled notes. */
    public SparkTasks idColumn(String value) {
        this.idColumn = requireName(value, "idColumn");
        return this;
    }

    /** The answer length limit per question (default 400 tokens). */
    public SparkTasks maxNewTokens(int value) {
        if (value < 1) {
            throw new InvalidInputException("maxNewTokens must be >= 1, got " + value);
        }
        this.maxNewTokens = value;
        return this;
    }

    /**
     * Samples instead of greedy decoding. Each note's seed is derived from {@code seed} and its id
     * (its text when there is no id column), so a re-executed partition gives the same answers.
     */
    public SparkTasks sampling(float temperature, float topP, long seed) {
        GenerationConfig.builder().temperature(temperature).topP(topP).build();   // validates both
        if (temperature == 0f) {
            throw new InvalidInputException("A sampling temperature must be > 0 (greedy decoding is the default)");
        }
        this.temperature = temperature;
        this.topP = topP;
        this.seed = seed;
        return this;
    }

    /**
     * Notes in flight at once in one partition (default 1 for a local model, whose questions of one note
     * are already one batch; 4 for a remote one, each note sending its questions concurrently).
     */
    public SparkTasks concurrency(int value) {
        if (value < 1) {
            throw new InvalidInputException("concurrency must be >= 1, got " + value);
        }
        this.concurrency = value;
        return this;
    }

    /** A prefix for the result columns ({@code "asc_"} gives {@code asc_entities}, ...), when the input has such names. */
    public SparkTasks outputPrefix(String value) {
        this.prefix = Objects.requireNonNull(value, "prefix");
        return this;
    }

    /**
     * Whether {@link #transform} first checks on the driver that the model can be opened (default true).
     * Turn it off when the driver cannot see the executors' model folder or reach their server.
     */
    public SparkTasks checkModelOnDriver(boolean value) {
        this.checkModel = value;
        return this;
    }

    /** The result columns {@link #transform} appends. */
    public StructType resultSchema() {
        return settings().rows().schema();
    }

    /**
     * The notes with the result columns appended, one output row per input row, in order. Lazy, as Spark
     * transformations are: the model runs when an action runs.
     *
     * @throws InvalidInputException for a missing or non-string note column, a missing id column, a
     *                               result column name the input already has, or nothing to ask
     * @throws dev.asclepius.core.AsclepiusException when the model cannot be opened (checked on the driver)
     */
    public Dataset<Row> transform(Dataset<Row> notes) {
        Objects.requireNonNull(notes, "notes");
        Settings settings = settings();
        StructType in = notes.schema();
        int noteIndex = column(in, noteColumn, "noteColumn");
        if (!in.fields()[noteIndex].dataType().equals(DataTypes.StringType)) {
            throw new InvalidInputException("The note column '" + noteColumn + "' has type "
                    + in.fields()[noteIndex].dataType().simpleString() + "; it must be a string (cast it first)");
        }
        int idIndex = idColumn.isEmpty() ? -1 : column(in, idColumn, "idColumn");
        StructType result = settings.rows().schema();
        ResultRows.nameClash(in, result).ifPresent(name -> {
            throw new InvalidInputException("The input already has a column '" + name
                    + "': set outputPrefix(\"asc_\") (or another) for the result columns");
        });
        if (checkModel) {
            spec.check();
        }
        Progress progress = Progress.register(notes.sparkSession().sparkContext(), "asclepius#" + JOBS.incrementAndGet());
        lastProgress = progress;
        List<StructField> fields = new ArrayList<>(Arrays.asList(in.fields()));
        fields.addAll(Arrays.asList(result.fields()));
        StructType out = new StructType(fields.toArray(StructField[]::new));
        return notes.mapPartitions(new RowFunction(new NoteAnalyzer(settings), settings, noteIndex, idIndex, progress),
                Encoders.row(out));
    }

    /**
     * The partition-level function, for callers who want the records themselves (see {@link NoteAnalyzer}).
     * The columns set here are not used: the caller makes the {@link NoteInput}s.
     */
    public NoteAnalyzer analyzer() {
        return new NoteAnalyzer(settings());
    }

    /**
     * Registers a SQL function {@code name(text)} returning one struct with {@link #resultSchema()}'s
     * fields: {@code SELECT note_id, r.entities FROM (SELECT note_id, name(text) AS r FROM notes)}.
     * Registered as non-deterministic so Spark's optimizer never duplicates the (expensive) call when
     * several fields of its result are selected; its results are in fact deterministic (greedy, or
     * seeded by the note's text).
     *
     * @throws dev.asclepius.core.AsclepiusException when the model cannot be opened (checked on the driver)
     */
    public UserDefinedFunction registerUdf(SparkSession spark, String name) {
        Objects.requireNonNull(spark, "spark");
        requireName(name, "UDF name");
        Settings settings = settings();
        if (checkModel) {
            spec.check();
        }
        Progress progress = Progress.register(spark.sparkContext(), "asclepius udf " + name);
        NoteAnalyzer analyzer = new NoteAnalyzer(settings);
        UDF1<String, Row> call = text -> {
            var result = analyzer.analyzeOne(NoteInput.of("", text));
            progress.add(result);
            return RowFactory.create(settings.rows().values(result));
        };
        UserDefinedFunction udf = functions.udf(call, settings.rows().schema()).asNondeterministic();
        return spark.udf().register(name, udf);
    }

    Progress lastProgress() {
        return lastProgress;
    }

    private Settings settings() {
        if (tasks.isEmpty() && questions.isEmpty()) {
            throw new InvalidInputException("Nothing to ask: set tasks(...) and/or questions(...)");
        }
        if (tasks.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
            throw new InvalidInputException("Task.QUESTION_ANSWERING needs questions(...)");
        }
        return new Settings(spec, EnumSet.copyOf(tasks), List.copyOf(questions), noteColumn, idColumn, maxNewTokens,
                temperature, topP, 0, seed, concurrency, prefix);
    }

    private static int column(StructType schema, String name, String setter) {
        for (int i = 0; i < schema.fields().length; i++) {
            if (schema.fields()[i].name().equals(name)) {
                return i;
            }
        }
        throw new InvalidInputException("The dataset has no column '" + name + "' (" + setter + "); its columns are "
                + Arrays.toString(schema.fieldNames()));
    }

    private static String requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("The " + what + " is empty");
        }
        return value;
    }

    private static Task[] requireNonEmpty(Task[] value) {
        if (Objects.requireNonNull(value, "tasks").length == 0) {
            throw new InvalidInputException("tasks(...) needs at least one task");
        }
        return value;
    }
}
