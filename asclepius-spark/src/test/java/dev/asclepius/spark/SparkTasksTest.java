package dev.asclepius.spark;

import static dev.asclepius.spark.testing.SparkRows.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.RemoteException;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.spark.testing.ClinicalAnswersModel;
import dev.asclepius.spark.testing.SparkRows;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.NoteInput;
import dev.asclepius.tasks.NoteResult;
import dev.asclepius.tasks.Task;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job on the tiny random-weight model, Spark in local[2] (up to 4 attempts per task). */
class SparkTasksTest {
    static final Set<Task> TASKS = EnumSet.of(Task.ENTITIES, Task.TIMELINE);
    static final String QUESTION = "What follow-up is planned?";
    static final int MAX_NEW_TOKENS = 8;

    @TempDir
    static Path dir;

    static SparkSession spark;
    static AsclepiusClient client;
    static Dataset<Row> notes;
    static List<String[]> input;

    @BeforeAll
    static void start() {
        RandomModelWriter.write(dir, RandomModelSpec.tiny());
        client = AsclepiusClient.builder().model(dir)
                .generation(GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS).build()).build();
        spark = SparkRows.session("SparkTasksTest");
        input = List.of(
                new String[] {"n1", "Patient was admitted on 03/14/2019 with pneumonia and treated with ceftriaxone 1 g daily."},
                new String[] {"n2", ""},
                new String[] {"n3", "HTN. DM2 on metformin 500 mg BID. Chest X-ray on hospital day 2 was clear."},
                new String[] {"n4", "The patient was admitted with chest pain. ".repeat(400)},   // > 2,048 tokens
                new String[] {"n5", "Discharged on aspirin 81 mg. Follow-up with cardiology in 2 weeks."},
                new String[] {"n6", null},
                new String[] {"n7", "Denies smoking. History of MI in 2015, s/p PCI to the LAD."},
                new String[] {"n8", "Admitted with CHF exacerbation, diuresed with IV furosemide for 3 days."});
        List<Row> rows = new ArrayList<>();
        for (String[] r : input) {
            rows.add(RowFactory.create(r[0], r[1]));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("note_id", DataTypes.StringType, false),
                DataTypes.createStructField("text", DataTypes.StringType, true)));
        notes = spark.createDataFrame(rows, schema).repartition(2);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (client != null) {
            client.close();
        }
        ExecutorModels.closeAll();
    }

    private static List<Row> clean;

    /** One transform of every note, shared by the tests that compare against it (the model is the slow part). */
    static synchronized List<Row> cleanRun() {
        if (clean == null) {
            SparkTasks job = job();
            clean = job.transform(notes).collectAsList();
            cleanProgress = job.lastProgress();
        }
        return clean;
    }

    private static Progress cleanProgress;

    static SparkTasks job() {
        return Asclepius.forSpark(ModelSpec.local(dir)).tasks(TASKS).questions(QUESTION).maxNewTokens(MAX_NEW_TOKENS)
                .noteColumn("text").idColumn("note_id");
    }

    /** Rows by note id, without the timing column (wall clock: the one thing two runs do not share). */
    static java.util.Map<String, Row> byId(List<Row> rows) {
        java.util.Map<String, Row> out = new java.util.TreeMap<>();
        for (Row r : rows) {
            out.put(r.getString(r.fieldIndex("note_id")), r);
        }
        return out;
    }

    static List<Object> withoutTiming(Row r) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < r.length(); i++) {
            if (!r.schema().fields()[i].name().equals("timing")) {
                out.add(plain(r.get(i)));
            }
        }
        return out;
    }

    @Test
    void rowsHoldExactlyTheRecordsTheClientReturnsAndBadNotesAreErrorRows() {
        List<Row> rows = cleanRun();

        assertThat(rows).hasSize(input.size());
        assertThat(rows.get(0).schema().fieldNames()).containsExactly("note_id", "text", "entities", "timeline", "answers", "exchanges",
                "prompt_tokens", "generated_tokens", "timing", "error");
        java.util.Map<String, Row> byId = byId(rows);
        int ok = 0;
        long generated = 0;
        long prompt = 0;
        for (String[] note : input) {
            Row row = byId.get(note[0]);
            assertThat(row.getString(row.fieldIndex("text"))).isEqualTo(note[1]);
            Analysis expected;
            try {
                expected = client.analyze(new ClinicalNote(note[1]), TASKS, List.of(QUESTION));
            } catch (RuntimeException e) {
                // the same failure, as a row: type and message, no results, the job went on
                Row error = row.getStruct(row.fieldIndex("error"));
                assertThat(error).as(note[0]).isNotNull();
                assertThat(error.getString(0)).isEqualTo(e.getClass().getSimpleName());
                assertThat(error.getString(1)).isEqualTo(e.getMessage());
                assertThat(row.isNullAt(row.fieldIndex("entities"))).isTrue();
                assertThat(row.getInt(row.fieldIndex("generated_tokens"))).isZero();
                continue;
            }
            ok++;
            assertThat(row.isNullAt(row.fieldIndex("error"))).as(note[0]).isTrue();
            assertThat(plain(row.get(row.fieldIndex("entities")))).as(note[0])
                    .isEqualTo(SparkRows.entities(expected.entities().orElseThrow()));
            assertThat(plain(row.get(row.fieldIndex("timeline")))).as(note[0])
                    .isEqualTo(SparkRows.timeline(expected.timeline().orElseThrow()));
            assertThat(plain(row.get(row.fieldIndex("answers")))).as(note[0])
                    .isEqualTo(List.of(SparkRows.answer(expected.answers().get(0))));
            assertThat(plain(row.get(row.fieldIndex("exchanges")))).as(note[0]).isEqualTo(SparkRows.exchanges(expected));
            int expectedGenerated = expected.generatedTokens();
            int expectedPrompt = expected.all().stream().mapToInt(r -> r.promptTokens()).sum();
            assertThat(row.getInt(row.fieldIndex("generated_tokens"))).isEqualTo(expectedGenerated);
            assertThat(row.getInt(row.fieldIndex("prompt_tokens"))).isEqualTo(expectedPrompt);
            assertThat(row.getStruct(row.fieldIndex("timing")).getDouble(0)).isPositive();
            generated += expectedGenerated;
            prompt += expectedPrompt;
        }
        assertThat(ok).isEqualTo(5);
        assertThat(byId.get("n2").getStruct(byId.get("n2").fieldIndex("error")).getString(0)).isEqualTo("InvalidInputException");
        assertThat(byId.get("n4").getStruct(byId.get("n4").fieldIndex("error")).getString(0))
                .isEqualTo("ContextLengthExceededException");
        assertThat(byId.get("n6").getStruct(byId.get("n6").fieldIndex("error")).getString(0)).isEqualTo("InvalidInputException");
        // the records are not trivially empty: the random model's answers parse into something for some notes
        assertThat(rows.stream().mapToInt(r -> r.getInt(r.fieldIndex("generated_tokens"))).sum()).isPositive();

        Progress progress = cleanProgress;
        assertThat(progress.done.value()).isEqualTo(input.size());
        assertThat(progress.failed.value()).isEqualTo(3);
        assertThat(progress.generatedTokens.value()).isEqualTo(generated);
        assertThat(progress.promptTokens.value()).isEqualTo(prompt);
        // one model in this JVM for every task and job of the spec
        assertThat(ExecutorModels.openCount()).isEqualTo(1);
    }

    @Test
    void recordsWithDosagesStatusesDatesAndSpansBecomeTheSameStructs() {
        ModelSpec spec = ModelSpec.custom("clinical-answers", ClinicalAnswersModel::new);
        List<Row> rows = Asclepius.forSpark(spec).tasks(TASKS).questions(QUESTION).idColumn("note_id")
                .transform(notes).collectAsList();
        try (AsclepiusClient scripted = AsclepiusClient.builder().model(new ClinicalAnswersModel()).build()) {
            java.util.Map<String, Row> byId = byId(rows);
            int compared = 0;
            for (String[] note : input) {
                Row row = byId.get(note[0]);
                if (row.isNullAt(row.fieldIndex("error"))) {
                    Analysis expected = scripted.analyze(new ClinicalNote(note[1]), TASKS, List.of(QUESTION));
                    assertThat(plain(row.get(row.fieldIndex("entities")))).as(note[0])
                            .isEqualTo(SparkRows.entities(expected.entities().orElseThrow()));
                    assertThat(plain(row.get(row.fieldIndex("timeline")))).as(note[0])
                            .isEqualTo(SparkRows.timeline(expected.timeline().orElseThrow()));
                    assertThat(plain(row.get(row.fieldIndex("answers")))).as(note[0])
                            .isEqualTo(List.of(SparkRows.answer(expected.answers().get(0))));
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(6);   // the long note fits this model: only the empty and null ones fail
        }
        // what the structs hold, read by field name
        Row n1 = byId(rows).get("n1");
        List<Row> entities = n1.getList(n1.fieldIndex("entities"));
        Row ceftriaxone = entities.stream().filter(e -> e.<String>getAs("text").equals("Ceftriaxone")).findFirst().orElseThrow();
        assertThat(ceftriaxone.<String>getAs("type")).isEqualTo("MEDICATION");
        assertThat(ceftriaxone.<String>getAs("dosage")).isEqualTo("1 g daily");
        List<Row> spans = ceftriaxone.getList(ceftriaxone.fieldIndex("spans"));
        assertThat(spans).hasSize(1);
        String text = input.get(0)[1];
        Row span = spans.get(0);
        assertThat(text.substring(span.<Integer>getAs("begin"), span.<Integer>getAs("end"))).isEqualTo(span.<String>getAs("text"))
                .isEqualToIgnoringCase("ceftriaxone");
        assertThat(span.<String>getAs("match")).isEqualTo("NORMALIZED");
        Row n7 = byId(rows).get("n7");
        assertThat(n7.<Row>getList(n7.fieldIndex("entities"))).anySatisfy(e -> {
            assertThat(e.<String>getAs("text")).isEqualTo("smoking");
            assertThat(e.<String>getAs("status")).isEqualTo("NEGATED");
            assertThat(e.<String>getAs("type")).isEqualTo("LIFESTYLE_FACTOR");
        });
        List<Row> timeline = n1.getList(n1.fieldIndex("timeline"));
        assertThat(timeline.get(0).<String>getAs("normalized_kind")).isEqualTo("DATE");
        assertThat(timeline.get(0).<String>getAs("normalized_value")).isEqualTo("2019-03-14");
        assertThat(timeline.get(0).getList(timeline.get(0).fieldIndex("time_spans"))).isNotEmpty();
    }

    @Test
    void aTaskKilledAfterItsFirstRowAndRetriedProducesIdenticalRows() {
        Dataset<Row> out = job().transform(notes);
        // The first attempt of every task dies after the model has answered its partition's first notes;
        // Spark (local[2,4]: up to 4 attempts) re-executes the whole partition, the model included.
        Dataset<Row> failing = out.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            List<Row> seen = new ArrayList<>();
            while (rows.hasNext()) {
                seen.add(rows.next());
                if (seen.size() == 2 && TaskContext.get().attemptNumber() == 0) {
                    throw new IllegalStateException("injected executor failure");
                }
            }
            return seen.iterator();
        }, Encoders.row(out.schema()));
        spark.sparkContext().setJobGroup("injected-failure", "a task that dies once", false);
        List<Row> retried;
        try {
            retried = failing.collectAsList();
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        assertThat(failedTasks("injected-failure")).as("tasks that failed and were retried").isEqualTo(2);

        java.util.Map<String, Row> a = byId(cleanRun());
        java.util.Map<String, Row> b = byId(retried);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String id : a.keySet()) {
            assertThat(withoutTiming(b.get(id))).as(id).isEqualTo(withoutTiming(a.get(id)));
        }
    }

    /** Failed task attempts of the job group's stages (the status store is fed by an asynchronous listener). */
    static int failedTasks(String group) {
        var tracker = spark.sparkContext().statusTracker();
        int failed = 0;
        for (int attempt = 0; attempt < 100 && failed < 2; attempt++) {
            failed = 0;
            for (int job : tracker.getJobIdsForGroup(group)) {
                var info = tracker.getJobInfo(job);
                if (info.isDefined()) {
                    for (int stage : info.get().stageIds()) {
                        var stageInfo = tracker.getStageInfo(stage);
                        if (stageInfo.isDefined()) {
                            failed += stageInfo.get().numFailedTasks();
                        }
                    }
                }
            }
            if (failed < 2) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return failed;
    }

    @Test
    void sampledNotesAreSeededByTheirIdSoRepeatedRunsAgree() {
        SparkTasks sampled = job().tasks(Task.SUMMARY).questions().sampling(1.0f, 0.95f, 7);
        Dataset<Row> subset = notes.filter("note_id in ('n1', 'n3', 'n5')");
        List<Row> first = sampled.transform(subset).collectAsList();
        List<Row> second = sampled.transform(subset.repartition(1)).collectAsList();
        java.util.Map<String, Row> a = byId(first);
        java.util.Map<String, Row> b = byId(second);
        for (String id : a.keySet()) {
            assertThat(withoutTiming(b.get(id))).as(id).isEqualTo(withoutTiming(a.get(id)));
        }
        // the seed is the note's: the client with that seed generates the same summary
        String n1 = input.get(0)[1];
        long seed = new Settings(ModelSpec.local(dir), EnumSet.of(Task.SUMMARY), List.of(), "text", "note_id",
                MAX_NEW_TOKENS, 1.0f, 0.95f, 0, 7, 0, "").seedFor("n1");
        try (AsclepiusClient seeded = client.newBuilder().generation(GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS)
                .temperature(1.0f).topP(0.95f).seed(seed).build()).build()) {
            Analysis expected = seeded.analyze(new ClinicalNote(n1), EnumSet.of(Task.SUMMARY));
            Row row = a.get("n1");
            List<?> exchanges = (List<?>) plain(row.get(row.fieldIndex("exchanges")));
            assertThat(exchanges).hasSize(1);
            assertThat(((List<?>) exchanges.get(0)).get(2)).isEqualTo(expected.summary().orElseThrow().rawResponse());
        }
    }

    @Test
    void sqlUdfReturnsTheSameResultStruct() {
        job().registerUdf(spark, "asclepius_tasks");
        notes.createOrReplaceTempView("notes");
        List<Row> viaSql = spark.sql("SELECT note_id, r.entities, r.timeline, r.answers, r.error.type AS error_type "
                + "FROM (SELECT note_id, asclepius_tasks(text) AS r FROM notes)").collectAsList();
        java.util.Map<String, Row> transformed = byId(cleanRun());
        assertThat(viaSql).hasSize(input.size());
        for (Row r : viaSql) {
            Row t = transformed.get(r.getString(0));
            assertThat(plain(r.get(1))).isEqualTo(plain(t.get(t.fieldIndex("entities"))));
            assertThat(plain(r.get(2))).isEqualTo(plain(t.get(t.fieldIndex("timeline"))));
            assertThat(plain(r.get(3))).isEqualTo(plain(t.get(t.fieldIndex("answers"))));
            Row error = t.getStruct(t.fieldIndex("error"));
            assertThat(r.get(4)).isEqualTo(error == null ? null : error.getString(0));
        }
    }

    @Test
    void theRecordLevelFunctionGivesNoteResultsInOrder() {
        NoteAnalyzer analyzer = job().analyzer();
        Iterator<NoteResult> results = analyzer.analyze(List.of(NoteInput.of("a", input.get(0)[1]),
                NoteInput.of("b", "  "), NoteInput.of("c", input.get(2)[1])).iterator());
        List<NoteResult> list = new ArrayList<>();
        results.forEachRemaining(list::add);
        assertThat(list).extracting(NoteResult::id).containsExactly("a", "b", "c");
        assertThat(list).extracting(NoteResult::index).containsExactly(0L, 1L, 2L);
        assertThat(list.get(1)).isInstanceOf(NoteResult.Failure.class);
        Analysis expected = client.analyze(new ClinicalNote(input.get(2)[1]), TASKS, List.of(QUESTION));
        assertThat(((NoteResult.Success) list.get(2)).analysis().entities().orElseThrow().value())
                .isEqualTo(expected.entities().orElseThrow().value());
    }

    @Test
    void transformFailsBeforeAnyPartitionRunsOnAMissingColumnOrAModelThatCannotOpen() {
        assertThatThrownBy(() -> job().noteColumn("body").transform(notes))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no column 'body'").hasMessageContaining("[note_id, text]");
        assertThatThrownBy(() -> job().idColumn("id").transform(notes))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no column 'id'");
        assertThatThrownBy(() -> job().noteColumn("note_id").transform(notes.withColumn("note_id",
                notes.col("note_id").cast("int")))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must be a string");
        assertThatThrownBy(() -> job().transform(notes.withColumn("entities", notes.col("text"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("outputPrefix");
        assertThatThrownBy(() -> Asclepius.forSpark(ModelSpec.local(dir.resolve("missing"))).tasks(Task.SUMMARY)
                .transform(notes)).isInstanceOf(CheckpointException.class).hasMessageContaining("No config.json");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();   // closed again: nothing listens there
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        assertThatThrownBy(() -> Asclepius.forSpark(ModelSpec.remote(URI.create("http://127.0.0.1:" + port), "x"))
                .tasks(Task.SUMMARY).transform(notes)).isInstanceOf(RemoteException.class)
                .hasMessageContaining("Cannot reach the model server");
        assertThatThrownBy(() -> Asclepius.forSpark(ModelSpec.local(dir)).transform(notes))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("Nothing to ask");
    }
}
