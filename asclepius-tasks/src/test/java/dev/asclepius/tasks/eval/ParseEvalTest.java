package dev.asclepius.tasks.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Fixtures;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scoring of {@code eval-parse} on hand-made cases whose scores are counted by hand below. */
class ParseEvalTest {
    private static final Gson GSON = new Gson();

    private static String line(String id, Task task, String question, String answer, Map<String, Object> expected) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("task", task.name());
        o.put("note_id", "fixture");
        o.put("note", Fixtures.TEXT);
        o.put("question", question);
        o.put("answer", answer);
        o.put("expected", expected);
        return GSON.toJson(o);
    }

    private static Map<String, Object> entity(String text, String span) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        m.put("accept", List.of());
        m.put("type", "MEDICATION");
        m.put("dosage", null);
        m.put("result", null);
        m.put("status", null);
        m.put("span", span);
        return m;
    }

    @Test
    void listTaskCountsMatchedParsedExpectedAndSpans() {
        // parsed: metformin, lisinopril, aspirin; expected: Metformin, lisinopril, insulin (not in note, span null)
        String jsonl = line("e1", Task.ENTITIES, "What medications was the patient discharged on?",
                "- Metformin 500 mg PO BID\n- Lisinopril 10 mg daily\n- Aspirin 81 mg daily",
                Map.of("items", List.of(entity("metformin", "Metformin"), entity("the lisinopril", "Lisinopril"),
                        entity("insulin", null))));
        ParseEvalReport report = ParseEval.run(jsonl, "test");
        TaskScore s = report.score(Task.ENTITIES).orElseThrow();
        assertThat(s.expectedItems()).isEqualTo(3);
        assertThat(s.parsedItems()).isEqualTo(3);
        assertThat(s.matchedItems()).isEqualTo(2);
        assertThat(s.precision()).isEqualTo(2.0 / 3);
        assertThat(s.recall()).isEqualTo(2.0 / 3);
        assertThat(s.expectedSpans()).isEqualTo(2); // insulin's span is null: not counted
        assertThat(s.spanRecall()).isEqualTo(1.0);
        assertThat(s.fields().get("type")).containsExactly(2, 2); // the question made them medications
        assertThat(report.misses()).extracting(Miss::kind).containsExactlyInAnyOrder(Miss.Kind.NOT_FOUND, Miss.Kind.UNEXPECTED);
        assertThat(report.format()).contains("ENTITIES").contains("e1 ENTITIES NOT_FOUND: insulin")
                .contains("e1 ENTITIES UNEXPECTED: Aspirin");
    }

    @Test
    void unmatchedItemsSpanCountsAsMissedAndGroundedNullSpanIsListed() {
        Map<String, Object> relation = new LinkedHashMap<>();
        relation.put("head", "congestive heart failure"); // written in the other order than the answer
        relation.put("accept_head", List.of("CHF exacerbation"));
        relation.put("tail", "furosemide");
        relation.put("accept_tail", List.of());
        relation.put("relation", "treats");
        relation.put("head_span", "CHF");
        relation.put("tail_span", "furosemide");
        Map<String, Object> missing = new LinkedHashMap<>(relation);
        missing.put("head", "aspirin");
        missing.put("tail", "stroke");
        missing.put("head_span", "Aspirin");
        missing.put("tail_span", null);
        String jsonl = line("r1", Task.RELATIONS, "Identify the connections between medications and conditions.",
                "Furosemide - treats - CHF exacerbation", Map.of("items", List.of(relation, missing)));
        TaskScore s = ParseEval.run(jsonl, "test").score(Task.RELATIONS).orElseThrow();
        assertThat(s.matchedItems()).isEqualTo(1);
        assertThat(s.recall()).isEqualTo(0.5);
        assertThat(s.precision()).isEqualTo(1.0);
        // CHF: the parsed tail "CHF exacerbation" is grounded at "CHF exacerbation", not at "CHF" alone
        assertThat(s.expectedSpans()).isEqualTo(3);
        assertThat(s.foundSpans()).isEqualTo(1);
    }

    @Test
    void freeTextScoresKeyPhrasesExcludedPhrasesAndFoundFlag() {
        List<String> lines = new ArrayList<>();
        lines.add(line("s1", Task.SUMMARY, "Summarize the hospital course.",
                "Sure! Here is a summary:\nThe patient had a PCI with a drug-eluting stent and was treated for CHF.",
                Map.of("key_phrases", List.of("drug-eluting stent", "CHF", "bypass surgery"), "excluded_phrases",
                        List.of("Sure! Here is a summary", "PCI"))));
        lines.add(line("q1", Task.QUESTION_ANSWERING, "Was the patient on warfarin?",
                "The discharge summary does not mention warfarin.",
                Map.of("found", true, "key_phrases", List.of(), "excluded_phrases", List.of(), "evidence_spans", List.of())));
        ParseEvalReport report = ParseEval.run(String.join("\n", lines), "test");
        TaskScore summary = report.score(Task.SUMMARY).orElseThrow();
        assertThat(summary.expectedItems()).isEqualTo(3);
        assertThat(summary.matchedItems()).isEqualTo(2);
        assertThat(summary.parsedItems()).isEqualTo(3); // 2 kept + "PCI" found; the preamble was removed
        assertThat(summary.hasSpans()).isFalse();
        TaskScore qa = report.score(Task.QUESTION_ANSWERING).orElseThrow();
        assertThat(qa.expectedItems()).isEqualTo(1);
        assertThat(qa.matchedItems()).isZero();
        assertThat(report.misses()).extracting(Miss::kind).contains(Miss.Kind.FOUND_DISAGREES, Miss.Kind.EXCLUDED_FOUND);
    }

    @Test
    void matchingIsOneToOneAndMaximal() {
        // expected 0 accepts parsed 0 and 1, expected 1 only parsed 0: a greedy pass would pair 0-0 and lose 1
        int[] m = EvalText.match(List.of("a", "b"), List.of("x", "y"),
                (e, p) -> e.equals("a") || p.equals("x"));
        assertThat(m).containsExactly(1, 0);
    }

    @Test
    void textComparisonIgnoresCasePunctuationAndLeadingArticle() {
        assertThat(EvalText.norm("The patient's Chest X-ray.")).isEqualTo(EvalText.norm("chest xray"));
        assertThat(EvalText.norm("an ECG")).isEqualTo("ecg");
        // content words {admitted, chest, pain} and {admission, chest, pain}: 2 shared of 3 + 3
        assertThat(EvalText.dice("admitted with chest pain", "admission for chest pain")).isEqualTo(4.0 / 6);
    }

    @Test
    void badLinesGetTheirLineNumber() {
        assertThatThrownBy(() -> ParseEval.run("{\"task\":\"ENTITIES\"}\n", "cases.jsonl"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("cases.jsonl line 1");
        assertThatThrownBy(() -> ParseEval.run("\n{\"task\":\"NER\",\"note\":\"x\",\"answer\":\"y\",\"expected\":{}}", "c"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("line 2").hasMessageContaining("ENTITIES");
        assertThatThrownBy(() -> ParseEval.run("not json", "c")).isInstanceOf(InvalidInputException.class);
    }
}
