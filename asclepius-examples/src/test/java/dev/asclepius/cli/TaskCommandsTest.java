package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parse} on saved answers and {@code run} on a tiny random-weight model, run in-process. */
class TaskCommandsTest {
    static final String NOTE = """
            Discharge Diagnosis: Community-acquired pneumonia. HTN. DM2.
            Hospital Course: 67M admitted with fever and SOB on 03/14/2019. CXR showed RLL consolidation. Treated \
            with ceftriaxone and azithromycin, switched to PO amoxicillin on hospital day 3.
            Discharge Medications: amoxicillin 875 mg PO BID x 5 days, metformin 500 mg BID, lisinopril 10 mg daily.
            """;

    @TempDir
    static Path tmp;

    static Path note;
    static Path model;

    @BeforeAll
    static void writeNoteAndModel() throws IOException {
        note = write("note.txt", NOTE);
        model = tmp.resolve("tiny");
        RandomModelWriter.write(model, RandomModelSpec.tiny());
    }

    // ---- parse

    @Test
    void parseAbbreviationsPrintsOneLinePerItemWithSpans() throws IOException {
        Path response = write("abbr.txt", "Sure! Here are the abbreviations:\n1. HTN: hypertension\n2. SOB - shortness of breath\n"
                + "3. COPD: chronic obstructive pulmonary disease\n");
        Cli cli = Cli.run("parse", "--task", "abbreviations", "--note", note.toString(), "--response", response.toString());
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("- HTN = hypertension " + span("HTN") + "\n")
                .contains("- SOB = shortness of breath " + span("SOB") + "\n")
                .contains("- COPD = chronic obstructive pulmonary disease (NOT FOUND in note)\n")
                .contains("grounding: 3 items: 2 exact, 0 normalized, 0 fuzzy, 1 not found");
    }

    @Test
    void parseWithQuestionTakesTheEntityTypeAndThePairFromIt() throws IOException {
        Path meds = write("meds-prose.txt", "The patient was discharged on amoxicillin and metformin.");
        Cli typed = Cli.run("parse", "--task", "entities", "--note", note.toString(), "--response", meds.toString(),
                "--question", "What medications was the patient discharged on?", "--json");
        assertThat(typed.exitCode()).as(typed.toString()).isZero();
        JsonArray value = JsonParser.parseString(typed.out()).getAsJsonObject().getAsJsonArray("value");
        assertThat(value).hasSize(2);
        assertThat(value.get(0).getAsJsonObject().get("type").getAsString()).isEqualTo("MEDICATION");
        Cli byType = Cli.run("parse", "--task", "entities", "--note", note.toString(), "--response", meds.toString(),
                "--type", "medication", "--json");
        assertThat(JsonParser.parseString(byType.out()).getAsJsonObject().getAsJsonArray("value").get(1).getAsJsonObject()
                .get("type").getAsString()).isEqualTo("MEDICATION");

        Path why = write("why.txt", "Ceftriaxone and azithromycin were started for the pneumonia, and amoxicillin was continued.");
        Cli pair = Cli.run("parse", "--task", "relations", "--note", note.toString(), "--response", why.toString(),
                "--focus", "amoxicillin", "--focus", "community-acquired pneumonia");
        assertThat(pair.exitCode()).as(pair.toString()).isZero();
        // The asked pair comes first; the further relations the answer states beside it follow (issue #10).
        assertThat(pair.out()).startsWith("- amoxicillin --[").contains("--> community-acquired pneumonia");
        assertThat(pair.out()).contains("- Ceftriaxone --[started for]--> pneumonia")
                .contains("- azithromycin --[started for]--> pneumonia").contains("grounding: 6 items");

        Cli both = Cli.run("parse", "--task", "entities", "--note", note.toString(), "--response", meds.toString(),
                "--question", "What medications?", "--type", "test");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("either --question or --type/--focus");
    }

    @Test
    void evalParseScoresACasesFileAndListsMisses() throws IOException {
        String line = "{\"id\":\"c1\",\"task\":\"ABBREVIATIONS\",\"note_id\":\"n\",\"note\":" + com.google.gson.JsonParser
                .parseString("\"" + NOTE.replace("\n", "\\n") + "\"").toString()
                + ",\"question\":\"Could you decode all the abbreviations?\",\"answer\":\"HTN: hypertension\\nSOB: shortness of breath\","
                + "\"expected\":{\"items\":[{\"short\":\"HTN\",\"expansion\":\"hypertension\",\"accept_expansion\":[],\"span\":\"HTN\"},"
                + "{\"short\":\"DM2\",\"expansion\":\"type 2 diabetes mellitus\",\"accept_expansion\":[],\"span\":\"DM2\"}]}}";
        Path cases = write("cases.jsonl", line + "\n");
        Cli cli = Cli.run("eval-parse", "--cases", cases.toString());
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        // 1 of 2 expected matched, 1 of 2 parsed matched, 1 of 2 spans carried
        assertThat(cli.out()).containsPattern("ABBREVIATIONS\\s+1\\s+2\\s+2\\s+1\\s+0\\.500\\s+0\\.500 0\\.500 \\(1/2\\)")
                .contains("c1 ABBREVIATIONS NOT_FOUND: DM2 = type 2 diabetes mellitus")
                .contains("c1 ABBREVIATIONS UNEXPECTED: SOB = shortness of breath");
        Cli strict = Cli.run("eval-parse", "--cases", cases.toString(), "--min", "0.95", "--no-misses");
        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(strict.out()).doesNotContain("misses:");
        Cli missing = Cli.run("eval-parse", "--cases", tmp.resolve("nope.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jsonl");
    }

    @Test
    void parseEntitiesAsJsonHasRecordsWithNullForEmptyOptionalsAndValidSpans() throws IOException {
        Path response = write("meds.txt", "Medications:\n- Amoxicillin 875 mg PO BID x 5 days\n- Metformin 500 mg BID\n"
                + "- Warfarin 5 mg daily\n");
        Cli cli = Cli.run("parse", "--task", "ner", "--note", note.toString(), "--response", response.toString(), "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.get("task").getAsString()).isEqualTo("entities");
        assertThat(o.get("truncated").getAsBoolean()).isFalse();
        JsonArray value = o.getAsJsonArray("value");
        assertThat(value).hasSize(3);
        JsonObject metformin = value.get(1).getAsJsonObject();
        assertThat(metformin.get("text").getAsString()).isEqualTo("Metformin");
        assertThat(metformin.get("type").getAsString()).isEqualTo("MEDICATION");
        assertThat(metformin.get("dosage").getAsString()).isEqualTo("500 mg BID");
        assertThat(metformin.has("result")).isTrue();
        assertThat(metformin.get("result").isJsonNull()).isTrue();
        assertThat(metformin.get("status").isJsonNull()).isTrue();
        assertThat(value.get(2).getAsJsonObject().getAsJsonArray("spans")).isEmpty();
        JsonObject grounding = o.getAsJsonObject("grounding");
        assertThat(grounding.get("items").getAsInt()).isEqualTo(3);
        assertThat(grounding.get("not_found").getAsInt()).isEqualTo(1);
        assertSpansValid(o);
    }

    @Test
    void parseTimelineNormalizesDatesAndHospitalDays() throws IOException {
        Path response = write("time.txt", "1. Admission: 03/14/2019\n2. Switched to PO amoxicillin on hospital day 3\n");
        Cli cli = Cli.run("parse", "--task", "timeline", "--note", note.toString(), "--response", response.toString(), "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        JsonArray events = o.getAsJsonObject("value").getAsJsonArray("events");
        assertThat(events).hasSize(2);
        JsonObject admission = events.get(0).getAsJsonObject();
        assertThat(admission.get("timeExpression").getAsString()).isEqualTo("03/14/2019");
        assertThat(admission.getAsJsonObject("normalized").get("kind").getAsString()).isEqualTo("DATE");
        assertThat(admission.getAsJsonObject("normalized").get("value").getAsString()).isEqualTo("2019-03-14");
        assertThat(events.get(1).getAsJsonObject().getAsJsonObject("normalized").get("value").getAsString())
                .isEqualTo("hospital-day:3");
        assertSpansValid(o);

        Cli text = Cli.run("parse", "--task", "timeline", "--note", note.toString(), "--response", response.toString());
        assertThat(text.out()).contains("1. 03/14/2019 = date 2019-03-14: Admission  time " + span("03/14/2019"));
    }

    @Test
    void parseQuestionAnswerShowsEvidence() throws IOException {
        Path response = write("qa.txt", "The note says \"CXR showed RLL consolidation\".");
        Cli cli = Cli.run("parse", "--task", "qa", "--note", note.toString(), "--response", response.toString());
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("found in note: yes")
                .contains("- evidence \"CXR showed RLL consolidation\" " + span("CXR showed RLL consolidation"));
    }

    // ---- run (random weights: the answers are noise, so only the plumbing is checked)

    @Test
    void runEntitiesJsonCarriesEveryExchange() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "entities", "--note", note.toString(),
                "--max-new-tokens", "4", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.get("task").getAsString()).isEqualTo("entities");
        assertThat(o.get("value").isJsonArray()).isTrue();
        assertThat(o.getAsJsonArray("instructions")).hasSize(5);
        assertThat(o.getAsJsonArray("raw_responses")).hasSize(5);
        assertThat(o.getAsJsonArray("finish_reasons")).hasSize(5);
        assertThat(o.getAsJsonArray("exchanges")).hasSize(5);
        assertThat(o.get("prompt_tokens").getAsInt()).isGreaterThan(5 * 100);
        assertThat(o.get("generated_tokens").getAsInt()).isBetween(5, 20);
        assertThat(o.get("total_seconds").getAsDouble()).isPositive();
        JsonObject first = o.getAsJsonArray("exchanges").get(0).getAsJsonObject();
        assertThat(first.keySet()).contains("instruction", "raw_response", "finish_reason", "prompt_tokens",
                "generated_tokens", "prefill_seconds", "decode_seconds", "wall_seconds");
        assertThat(o.getAsJsonObject("grounding").keySet()).contains("exact", "normalized", "fuzzy", "not_found");
        assertSpansValid(o);
    }

    @Test
    void runAskPrintsReadableOutput() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "ask", "--question", "Which antibiotics were given?",
                "--note", note.toString(), "--max-new-tokens", "3");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("found in note: ").contains("grounding: ").contains("questions: 1, ");
    }

    @Test
    void runWithBeamsAnswersEveryQuestionAndRefusesAServer() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "ask", "--question", "Which antibiotics were given?",
                "--note", note.toString(), "--max-new-tokens", "3", "--num-beams", "2", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.getAsJsonArray("raw_responses")).hasSize(1);
        assertThat(o.get("generated_tokens").getAsInt()).isBetween(1, 3);
        Cli remote = Cli.run("run", "--model", "m", "--remote", "http://127.0.0.1:9", "--task", "ask", "--question", "x",
                "--note", note.toString(), "--num-beams", "2");
        assertThat(remote.exitCode()).isEqualTo(2);
        assertThat(remote.err()).contains("--num-beams runs on the DJL engine");
    }

    @Test
    void runFocusedRelationSendsThePairQuestion() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "relations", "--focus", "metformin", "--focus", "DM2",
                "--note", note.toString(), "--max-new-tokens", "2", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertThat(o.getAsJsonArray("instructions").get(0).getAsString())
                .isEqualTo("Identify the connection between 'metformin' and 'DM2' in this discharge summary.");
    }

    // ---- user errors: one line on stderr, exit code 2, checked before the model loads

    @Test
    void unknownTaskIsAUserError() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "diagnose", "--note", note.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().strip()).startsWith("error: Unknown task 'diagnose'").doesNotContain("\n");
    }

    @Test
    void askWithoutQuestionIsAUserError() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "ask", "--note", note.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("error: --task ask needs --question \"...\"");
    }

    @Test
    void missingModelFolderIsNamed() {
        Path missing = tmp.resolve("no-model-here");
        Cli cli = Cli.run("run", "--model", missing.toString(), "--task", "summary", "--note", note.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: Model folder " + missing + " does not exist");
    }

    @Test
    void missingAndEmptyFilesAreUserErrors() throws IOException {
        Path missing = tmp.resolve("missing.txt");
        Cli noResponse = Cli.run("parse", "--task", "summary", "--note", note.toString(), "--response", missing.toString());
        assertThat(noResponse.exitCode()).isEqualTo(2);
        assertThat(noResponse.err().strip()).isEqualTo("error: The response file " + missing + " does not exist.");

        Path empty = write("empty.txt", "  \n");
        Cli emptyNote = Cli.run("parse", "--task", "summary", "--note", empty.toString(), "--response", note.toString());
        assertThat(emptyNote.exitCode()).isEqualTo(2);
        assertThat(emptyNote.err().strip()).isEqualTo("error: The note file " + empty + " is empty.");
    }

    @Test
    void focusThatDoesNotFitTheTaskIsAUserError() {
        Cli timeline = Cli.run("run", "--model", model.toString(), "--task", "timeline", "--focus", "x", "--note", note.toString());
        assertThat(timeline.exitCode()).isEqualTo(2);
        assertThat(timeline.err()).contains("no focused form");

        Cli type = Cli.run("run", "--model", model.toString(), "--task", "entities", "--focus", "allergies", "--note", note.toString());
        assertThat(type.exitCode()).isEqualTo(2);
        assertThat(type.err()).startsWith("error: Unknown entity type 'allergies'");
    }

    // ---- helpers

    private static Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** Every {@code [b,e)} of {@code phrase} in the note, as the text output prints exact matches. */
    private static String span(String phrase) {
        List<String> spans = new ArrayList<>();
        for (int i = NOTE.indexOf(phrase); i >= 0; i = NOTE.indexOf(phrase, i + 1)) {
            spans.add("[" + i + "," + (i + phrase.length()) + ")");
        }
        assertThat(spans).as(phrase).isNotEmpty();
        return String.join(" ", spans);
    }

    /** Every span object anywhere in the JSON covers exactly its text in the note. */
    private static void assertSpansValid(JsonElement element) {
        if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(TaskCommandsTest::assertSpansValid);
        } else if (element.isJsonObject()) {
            JsonObject o = element.getAsJsonObject();
            if (o.has("begin") && o.has("end") && o.has("text") && o.has("match")) {
                int begin = o.get("begin").getAsInt();
                int end = o.get("end").getAsInt();
                assertThat(NOTE.substring(begin, end)).isEqualTo(o.get("text").getAsString());
            }
            o.entrySet().forEach(e -> assertSpansValid(e.getValue()));
        }
    }
}
