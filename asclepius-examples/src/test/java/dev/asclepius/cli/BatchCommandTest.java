package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code batch} on the tiny random-weight model: JSONL and folder input, error lines, resume, progress. */
class BatchCommandTest {
    @TempDir
    static Path tmp;

    @TempDir
    Path dir;

    static Path model;

    @BeforeAll
    static void writeModel() {
        model = tmp.resolve("tiny");
        RandomModelWriter.write(model, RandomModelSpec.tiny());
    }

    static String note(int i) {
        return "Patient " + i + " admitted with CAP. Treated with ceftriaxone, then PO amoxicillin. HTN. DM2.";
    }

    static String jsonl(String id, String text) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("text", text);
        return o.toString();
    }

    Path notes(int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            lines.add(jsonl("note-" + i, note(i)));
        }
        Path file = dir.resolve("notes-" + n + ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    Cli batch(Path input, Path output, String... extra) {
        List<String> args = new ArrayList<>(List.of("batch", "--model", model.toString(), "--tasks", "timeline,summary",
                "--input", input.toString(), "--output", output.toString(), "--max-new-tokens", "8"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    static List<JsonObject> read(Path output) throws IOException {
        return Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    static List<String> ids(List<JsonObject> lines) {
        return lines.stream().map(o -> o.get("id").getAsString()).toList();
    }

    @Test
    void jsonlInOutInInputOrderWithErrorLinesForBadNotes() throws IOException {
        Path input = dir.resolve("in.jsonl");
        Files.write(input, List.of(
                jsonl("a", note(1)),
                jsonl("empty", " "),
                "",
                jsonl("b", note(2)),
                jsonl("long", "The patient was admitted with chest pain. ".repeat(400)),
                "{not json",
                "{\"pid\": \"c\", \"body\": \"x\"}",
                jsonl("c", note(3))), StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");
        Cli cli = batch(input, output, "--question", "What antibiotics were given?", "--progress-every", "2");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();

        List<JsonObject> lines = read(output);
        assertThat(ids(lines)).containsExactly("a", "empty", "b", "long", "line-6", "line-7", "c");
        JsonObject a = lines.get(0);
        assertThat(a.getAsJsonObject("results").keySet()).containsExactly("timeline", "summary");
        JsonObject timeline = a.getAsJsonObject("results").getAsJsonObject("timeline");
        assertThat(timeline.get("task").getAsString()).isEqualTo("timeline");
        assertThat(timeline.getAsJsonObject("value").has("events")).isTrue();
        assertThat(timeline.getAsJsonArray("raw_responses")).hasSize(1);
        assertThat(timeline.get("generated_tokens").getAsInt()).isBetween(1, 8);
        assertThat(a.getAsJsonArray("answers")).hasSize(1);
        assertThat(a.getAsJsonArray("answers").get(0).getAsJsonObject().get("question").getAsString())
                .isEqualTo("What antibiotics were given?");
        assertThat(a.get("generated_tokens").getAsInt()).isPositive();
        assertThat(a.get("prompt_tokens").getAsInt()).isPositive();
        assertThat(a.get("note_seconds").getAsDouble()).isPositive();
        assertThat(a.has("error")).isFalse();
        assertThat(error(lines.get(1))).isEqualTo("InvalidInputException");
        assertThat(error(lines.get(3))).isEqualTo("ContextLengthExceededException");
        assertThat(lines.get(3).getAsJsonObject("error").get("message").getAsString()).contains("context");
        assertThat(error(lines.get(4))).isEqualTo("InvalidInputException");
        assertThat(error(lines.get(5))).isEqualTo("InvalidInputException");
        assertThat(lines.get(6).has("results")).isTrue();

        assertThat(cli.err()).contains("2/7 notes (1 errors)").contains("4/7 notes (2 errors)")
                .contains("6/7 notes (4 errors)").contains("7/7 notes (4 errors)").contains("notes/s").contains("tokens/s").contains("ETA");
        assertThat(cli.err()).doesNotContain("\r");
        assertThat(cli.out()).contains("notes: 7, ok: 3, errors: 4, skipped (already in output): 0, time: ")
                .contains("notes/s").contains("tokens/s");
    }

    @Test
    void everyUnusableLineBecomesAnErrorLineNamingItAndTheRunGoesOn() throws IOException {
        Path input = dir.resolve("hostile.jsonl");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.util.function.Consumer<String> line = l -> bytes.writeBytes((l + "\n").getBytes(StandardCharsets.UTF_8));
        line.accept(jsonl("a", note(1)));                                              // 1
        bytes.writeBytes("{\"id\": \"latin1\", \"text\": \"Pt seen by Dr. Mu".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xf1);                                                             // 2: Latin-1 n-tilde
        bytes.writeBytes("oz.\"}\n".getBytes(StandardCharsets.UTF_8));
        line.accept("not json at all");                                                // 3
        line.accept("{\"id\": \"nofield\", \"body\": \"" + note(2) + "\"}");          // 4
        line.accept("{\"id\": \"number\", \"text\": 42}");                            // 5
        line.accept("{\"id\": \"object\", \"text\": {\"t\": \"x\"}}");                 // 6
        line.accept("{\"text\": \"" + note(3) + "\"}");                                // 7: no id
        line.accept("{\"id\": {\"x\": 1}, \"text\": \"" + note(4) + "\"}");           // 8: id not a string
        line.accept("[1, 2]");                                                         // 9
        line.accept(jsonl("b", note(5)) + "\r");                                       // 10: CRLF
        Files.write(input, bytes.toByteArray());
        Path output = dir.resolve("out.jsonl");

        Cli cli = batch(input, output);
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        List<JsonObject> lines = read(output);
        assertThat(ids(lines)).containsExactly("a", "latin1", "line-3", "nofield", "number", "object", "line-7",
                "line-8", "line-9", "b");
        assertThat(lines.get(0).has("results")).isTrue();
        assertThat(message(lines.get(1))).contains("line 2 is not valid UTF-8").contains("0xf1");
        assertThat(message(lines.get(2))).contains("line 3 is not a JSON object");
        assertThat(message(lines.get(3))).contains("line 4 has no \"text\" field").contains("it has: id, body")
                .contains("--text-field");
        assertThat(message(lines.get(4))).contains("line 5: field \"text\" is a number, not a string")
                .contains("--text-field");
        assertThat(message(lines.get(5))).contains("line 6: field \"text\" is an object");
        assertThat(lines.get(6).has("results")).as("a line without id runs as line-N").isTrue();
        assertThat(message(lines.get(7))).contains("line 8: field \"id\" is an object");
        assertThat(message(lines.get(8))).contains("line 9 is not a JSON object");
        assertThat(lines.get(9).has("results")).isTrue();
        assertThat(cli.err()).contains("1 line(s) have no \"id\" field").contains("--id-field");
        assertThat(cli.out()).contains("notes: 10, ok: 3, errors: 7");

        // A rerun skips them all (error lines count as done); --fail-on-error reports the earlier failures only
        // when this run has some.
        Cli again = batch(input, output, "--fail-on-error");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("skipped (already in output): 10");
        Cli retry = batch(input, output, "--retry-errors", "--fail-on-error");
        assertThat(retry.exitCode()).as(retry.toString()).isEqualTo(1);
        assertThat(retry.err()).contains("--fail-on-error: 7 note(s) failed");
    }

    @Test
    void failOnErrorExitsZeroWhenEveryNoteSucceeded() throws IOException {
        Path output = dir.resolve("ok.jsonl");
        Cli cli = batch(notes(2), output, "--fail-on-error");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(read(output)).hasSize(2);
    }

    private static String message(JsonObject line) {
        assertThat(error(line)).isEqualTo("InvalidInputException");
        return line.getAsJsonObject("error").get("message").getAsString();
    }

    private static String error(JsonObject line) {
        assertThat(line.has("results")).isFalse();
        return line.getAsJsonObject("error").get("type").getAsString();
    }

    @Test
    void folderOfTextFiles() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("notes"));
        Files.writeString(folder.resolve("b.txt"), note(2));
        Files.writeString(folder.resolve("a.txt"), note(1));
        Files.writeString(folder.resolve("c.txt"), "");
        Files.writeString(folder.resolve("readme.md"), "not a note");
        Path output = dir.resolve("out/results.jsonl");
        Cli cli = Cli.run("batch", "--model", model.toString(), "--tasks", "entities", "--input", folder.toString(),
                "--output", output.toString(), "--max-new-tokens", "8", "--workers", "2");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        List<JsonObject> lines = read(output);
        assertThat(ids(lines)).containsExactly("a", "b", "c");
        assertThat(lines.get(0).getAsJsonObject("results").getAsJsonObject("entities")
                .getAsJsonArray("raw_responses")).hasSize(5);
        assertThat(lines.get(2).getAsJsonObject("error").get("type").getAsString()).isEqualTo("InvalidInputException");
        assertThat(cli.out()).contains("notes: 3, ok: 2, errors: 1, skipped (already in output): 0");
    }

    @Test
    void resumeRunsOnlyTheNewNotes() throws IOException {
        Path output = dir.resolve("out.jsonl");
        Cli first = batch(notes(3), output);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        String before = Files.readString(output);

        Cli second = batch(notes(5), output);
        assertThat(second.exitCode()).as(second.toString()).isZero();
        List<JsonObject> lines = read(output);
        assertThat(ids(lines)).containsExactly("note-1", "note-2", "note-3", "note-4", "note-5");
        assertThat(Files.readString(output)).startsWith(before);
        assertThat(second.out()).contains("notes: 2, ok: 2, errors: 0, skipped (already in output): 3");

        Cli third = batch(notes(5), output);
        assertThat(third.out()).contains("notes: 0, ok: 0, errors: 0, skipped (already in output): 5");
        assertThat(read(output)).hasSize(5);
    }

    @Test
    void aCutLastLineIsDroppedAndItsNoteRunsAgain() throws IOException {
        Path output = dir.resolve("out.jsonl");
        assertThat(batch(notes(3), output).exitCode()).isZero();
        String full = Files.readString(output);
        String cut = full.substring(0, full.lastIndexOf('\n', full.length() - 2) + 1) + "{\"id\":\"note-3\",\"resu";
        Files.writeString(output, cut);

        Cli cli = batch(notes(4), output);
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.err()).contains("dropped a cut last line");
        List<JsonObject> lines = read(output);   // every line parses
        assertThat(ids(lines)).containsExactly("note-1", "note-2", "note-3", "note-4");
        assertThat(cli.out()).contains("notes: 2, ok: 2, errors: 0, skipped (already in output): 2");
    }

    @Test
    void errorLinesCountAsDoneUnlessRetryErrors() throws IOException {
        Path input = dir.resolve("in.jsonl");
        Files.write(input, List.of(jsonl("a", note(1)), jsonl("bad", "")), StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");
        assertThat(batch(input, output).exitCode()).isZero();
        assertThat(batch(input, output).out()).contains("notes: 0, ok: 0, errors: 0, skipped (already in output): 2");

        Files.write(input, List.of(jsonl("a", note(1)), jsonl("bad", note(9))), StandardCharsets.UTF_8);
        Cli retry = batch(input, output, "--retry-errors");
        assertThat(retry.err()).contains("dropped 1 error line(s)");
        assertThat(retry.out()).contains("notes: 1, ok: 1, errors: 0, skipped (already in output): 1");
        List<JsonObject> lines = read(output);
        assertThat(ids(lines)).containsExactly("a", "bad");
        assertThat(lines.stream().filter(o -> o.has("error")).collect(Collectors.toList())).isEmpty();
    }

    @Test
    void userErrorsBeforeTheModelLoads() {
        Cli askWithoutQuestion = Cli.run("batch", "--model", "/nonexistent", "--tasks", "ask", "--input", "x.jsonl",
                "--output", "y.jsonl");
        assertThat(askWithoutQuestion.exitCode()).isEqualTo(2);
        assertThat(askWithoutQuestion.err()).contains("--question");
        Cli unknownTask = Cli.run("batch", "--model", "/nonexistent", "--tasks", "entities,bogus", "--input", "x.jsonl",
                "--output", "y.jsonl");
        assertThat(unknownTask.exitCode()).isEqualTo(2);
        assertThat(unknownTask.err()).contains("Unknown task 'bogus'");
    }

    @Test
    void progressTextAndBar() {
        var p = new dev.asclepius.tasks.CorpusProgress(5, java.util.OptionalLong.of(10), 4, 1, 100, 1000,
                java.time.Duration.ofSeconds(2));
        assertThat(BatchProgress.text(p))
                .isEqualTo("5/10 notes (1 errors), 2.50 notes/s, 50.0 tokens/s, ETA 0:02");
        assertThat(BatchProgress.bar(p)).startsWith("[############            ] 5/10");
    }
}
