package dev.asclepius.cli;

import static dev.asclepius.spark.testing.SparkRows.plain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.cli.serve.CompletionServer;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.examples.SparkNotes;
import dev.asclepius.spark.Asclepius;
import dev.asclepius.spark.ModelSpec;
import dev.asclepius.spark.testing.SparkRows;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark executors calling {@code asclepius serve} (the real server, over the tiny random model) on loopback,
 * and the {@link SparkNotes} example program (JSONL in, Parquet out).
 */
class SparkServeTest {
    static final Set<Task> TASKS = EnumSet.of(Task.ENTITIES, Task.TIMELINE);
    static final int MAX_NEW_TOKENS = 8;

    @TempDir
    static Path tmp;

    static LocalModel local;
    static CompletionServer server;
    static URI base;
    static SparkSession spark;
    static AsclepiusClient remoteClient;

    static final List<String[]> NOTES = List.of(
            new String[] {"a", "Patient was admitted on 03/14/2019 with pneumonia and treated with ceftriaxone 1 g daily."},
            new String[] {"b", ""},
            new String[] {"c", "HTN. DM2 on metformin 500 mg BID. Chest X-ray on hospital day 2 was clear."},
            new String[] {"d", "The patient was admitted with chest pain. ".repeat(400)},   // over the 2,048-token context
            new String[] {"e", "Discharged on aspirin 81 mg. Follow-up with cardiology in 2 weeks."});

    @BeforeAll
    static void start() throws Exception {
        Path modelDir = tmp.resolve("model");
        RandomModelWriter.write(modelDir, RandomModelSpec.tiny());
        local = LocalModel.load(modelDir);
        server = CompletionServer.builder(local, "tiny").host("127.0.0.1").port(0).workers(8).start();
        base = URI.create("http://127.0.0.1:" + server.port());
        remoteClient = AsclepiusClient.builder().remote(base, "tiny")
                .generation(GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS).build()).build();
        spark = SparkRows.session("SparkServeTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (remoteClient != null) {
            remoteClient.close();
        }
        if (server != null) {
            server.close();
        }
        if (local != null) {
            local.close();
        }
    }

    @Test
    void executorsCallingServeGetExactlyTheClientsRecordsAndErrorsAreRows() {
        List<Row> rows = new ArrayList<>();
        for (String[] n : NOTES) {
            rows.add(RowFactory.create(n[0], n[1]));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("note_id", DataTypes.StringType, false),
                DataTypes.createStructField("text", DataTypes.StringType, true)));
        Dataset<Row> notes = spark.createDataFrame(rows, schema);

        List<Row> out = Asclepius.forSpark(ModelSpec.remote(base, "tiny").withMaxConcurrency(4))
                .tasks(TASKS).maxNewTokens(MAX_NEW_TOKENS).noteColumn("text").idColumn("note_id")
                .transform(notes).collectAsList();

        assertThat(out).extracting(r -> r.getString(0)).containsExactly("a", "b", "c", "d", "e");
        for (int i = 0; i < NOTES.size(); i++) {
            Row row = out.get(i);
            String text = NOTES.get(i)[1];
            Analysis expected;
            try {
                expected = remoteClient.analyze(new ClinicalNote(text), TASKS);
            } catch (RuntimeException e) {
                Row error = row.getStruct(row.fieldIndex("error"));
                assertThat(error).as(NOTES.get(i)[0]).isNotNull();
                assertThat(error.getString(0)).isEqualTo(e.getClass().getSimpleName());
                assertThat(error.getString(1)).isEqualTo(e.getMessage());
                continue;
            }
            assertThat(row.isNullAt(row.fieldIndex("error"))).as(NOTES.get(i)[0]).isTrue();
            assertThat(plain(row.get(row.fieldIndex("entities")))).isEqualTo(SparkRows.entities(expected.entities().orElseThrow()));
            assertThat(plain(row.get(row.fieldIndex("timeline")))).isEqualTo(SparkRows.timeline(expected.timeline().orElseThrow()));
            assertThat(plain(row.get(row.fieldIndex("exchanges")))).isEqualTo(SparkRows.exchanges(expected));
        }
        assertThat(out.get(1).getStruct(out.get(1).fieldIndex("error")).getString(0)).isEqualTo("InvalidInputException");
        assertThat(out.get(3).getStruct(out.get(3).fieldIndex("error")).getString(0))
                .isEqualTo("ContextLengthExceededException");
    }

    @Test
    void theExampleReadsJsonlWritesParquetAndPrintsASummary() throws Exception {
        Path input = tmp.resolve("notes.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (String[] n : List.of(NOTES.get(0), NOTES.get(1), NOTES.get(4))) {
            jsonl.append("{\"note_id\": \"").append(n[0]).append("\", \"text\": \"").append(n[1]).append("\"}\n");
        }
        Files.writeString(input, jsonl.toString());
        Path output = tmp.resolve("out.parquet");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        SparkNotes.Summary summary = SparkNotes.run(spark, ModelSpec.remote(base, "tiny").withRequestTokenIds(true), TASKS, MAX_NEW_TOKENS,
                input.toString(), output.toString(), new PrintStream(printed, true, StandardCharsets.UTF_8));

        System.out.print(printed.toString(StandardCharsets.UTF_8));   // the summary as a user sees it (docs/spark.md)
        assertThat(summary.notes()).isEqualTo(3);
        assertThat(summary.ok()).isEqualTo(2);
        assertThat(summary.errorsByType()).isEqualTo(Map.of("InvalidInputException", 1L));
        List<Row> written = spark.read().parquet(output.toString()).orderBy("note_id").collectAsList();
        assertThat(written).extracting(r -> r.getString(0)).containsExactly("a", "b", "e");
        long entities = 0;
        long generated = 0;
        for (Row r : written) {
            if (r.isNullAt(r.fieldIndex("error"))) {
                entities += r.getList(r.fieldIndex("entities")).size();
            }
            generated += r.getInt(r.fieldIndex("generated_tokens"));
        }
        assertThat(summary.entities()).isEqualTo(entities);
        assertThat(summary.generatedTokens()).isEqualTo(generated).isPositive();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("notes: 3, ok: 2, failed: 1 {InvalidInputException=1}")
                .contains("entities: " + entities);
    }
}
