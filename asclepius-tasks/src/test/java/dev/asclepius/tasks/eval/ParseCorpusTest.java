package dev.asclepius.tasks.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.Task;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The parsers on the blind corpus (src/test/resources/parse-corpus parts A and B, parse-corpus-heldout part C
 * and parse-corpus-heldout2 part D, written by engineers who had not read the parsers), the same numbers
 * {@code asclepius eval-parse} prints. Each task must meet issue #10's bar, except where {@link #BELOW_BAR_FLOORS}
 * (parts A-C together) or {@link #PART_D_FLOORS} (part D alone) lists a lower no-regression floor.
 */
class ParseCorpusTest {
    /** Issue #10's bar, for every task. */
    static final double MIN_ITEM_RECALL = 0.95;
    static final double MIN_ITEM_PRECISION = 0.95;
    static final double MIN_SPAN_RECALL = 0.90;

    enum Metric { PRECISION, RECALL, SPAN_RECALL }

    /**
     * NOT the bar. Where a task does not yet reach issue #10's bar, the value measured on the corpus, rounded
     * down to 0.01, so that the branch can merge without a regression going unnoticed. Every value here is
     * BELOW the bar (issue #10 stays open until this table is empty; docs/tasks.md lists the same
     * tasks). Only ever raise a floor (after an improvement) or delete it (once the task meets the bar);
     * never lower one.
     */
    static final Map<Task, Map<Metric, Double>> BELOW_BAR_FLOORS = new EnumMap<>(Map.of(
            // parts A and B alone meet the bar for every task; these floors are for A + B + C (404 cases), where
            // part C (the held-out set, folded in) is not yet parsed as well
            Task.ENTITIES, Map.of(Metric.SPAN_RECALL, 0.88),
            Task.RELATIONS, Map.of(Metric.RECALL, 0.90, Metric.SPAN_RECALL, 0.84),
            Task.TIMELINE, Map.of(Metric.PRECISION, 0.94, Metric.SPAN_RECALL, 0.85)));

    /**
     * NOT the bar: the same kind of no-regression floors for part D (parse-corpus-heldout2, the second held-out
     * set, folded in after its blind score was recorded), asserted on part D alone so that folding it in lowers
     * no floor of parts A-C. Only ever raise or delete one.
     */
    static final Map<Task, Map<Metric, Double>> PART_D_FLOORS = new EnumMap<>(Map.of(
            Task.ENTITIES, Map.of(Metric.SPAN_RECALL, 0.87),
            Task.TIMELINE, Map.of(Metric.PRECISION, 0.91, Metric.RECALL, 0.89, Metric.SPAN_RECALL, 0.75),
            Task.COREFERENCES, Map.of(Metric.SPAN_RECALL, 0.85),
            Task.PARAPHRASE, Map.of(Metric.PRECISION, 0.92),
            Task.SUMMARY, Map.of(Metric.PRECISION, 0.90)));

    static List<Path> partD() throws URISyntaxException {
        return List.of(Path.of(ParseCorpusTest.class.getResource("/parse-corpus-heldout2/part-d.jsonl").toURI()));
    }

    /** Parts A and B (parse-corpus) and part C (parse-corpus-heldout, no longer held out once tuned on). */
    static List<Path> corpus() throws IOException, URISyntaxException {
        List<Path> out = new java.util.ArrayList<>();
        for (String name : List.of("/parse-corpus", "/parse-corpus-heldout")) {
            Path dir = Path.of(ParseCorpusTest.class.getResource(name).toURI());
            try (Stream<Path> files = Files.list(dir)) {
                out.addAll(files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList());
            }
        }
        return out;
    }

    static double bar(Metric m) {
        return switch (m) {
            case PRECISION -> MIN_ITEM_PRECISION;
            case RECALL -> MIN_ITEM_RECALL;
            case SPAN_RECALL -> MIN_SPAN_RECALL;
        };
    }

    /** The bar, or the task's floor where the floor table has one. */
    static double required(Task task, Metric m) {
        return BELOW_BAR_FLOORS.getOrDefault(task, Map.of()).getOrDefault(m, bar(m));
    }

    @Test
    void floorsAreBelowTheBarOnly() {
        // A floor at or above the bar would hide nothing but would look like an exception; remove it instead.
        for (Map<Task, Map<Metric, Double>> table : List.of(BELOW_BAR_FLOORS, PART_D_FLOORS)) {
            table.forEach((task, floors) -> floors.forEach((m, floor) ->
                    assertThat(floor).as(task + " " + m + " floor").isLessThan(bar(m))));
        }
    }

    @Test
    void partDMeetsTheBarOrItsFloor() throws Exception {
        ParseEvalReport report = ParseEval.run(partD());
        assertThat(report.scores()).extracting(TaskScore::task).containsExactly(Task.values());
        assertThat(report.misses()).as("spans must be the note's text").noneMatch(m -> m.kind() == Miss.Kind.SPAN_INEXACT);
        for (TaskScore s : report.scores()) {
            Map<Metric, Double> floors = PART_D_FLOORS.getOrDefault(s.task(), Map.of());
            assertThat(s.recall()).as(s.task() + " item recall").isGreaterThanOrEqualTo(floors.getOrDefault(Metric.RECALL, MIN_ITEM_RECALL));
            assertThat(s.precision()).as(s.task() + " item precision")
                    .isGreaterThanOrEqualTo(floors.getOrDefault(Metric.PRECISION, MIN_ITEM_PRECISION));
            assertThat(s.spanRecall()).as(s.task() + " span recall")
                    .isGreaterThanOrEqualTo(floors.getOrDefault(Metric.SPAN_RECALL, MIN_SPAN_RECALL));
        }
    }

    @Test
    void everyTaskMeetsTheBarOrItsFloor() throws Exception {
        List<Path> files = corpus();
        assertThat(files).as("corpus files").isNotEmpty();
        ParseEvalReport report = ParseEval.run(files);
        System.out.println(report.format());
        assertThat(report.scores()).extracting(TaskScore::task).containsExactly(Task.values());
        assertThat(report.misses()).as("spans must be the note's text").noneMatch(m -> m.kind() == Miss.Kind.SPAN_INEXACT);
        for (TaskScore s : report.scores()) {
            assertThat(s.recall()).as(s.task() + " item recall").isGreaterThanOrEqualTo(required(s.task(), Metric.RECALL));
            assertThat(s.precision()).as(s.task() + " item precision").isGreaterThanOrEqualTo(required(s.task(), Metric.PRECISION));
            assertThat(s.spanRecall()).as(s.task() + " span recall").isGreaterThanOrEqualTo(required(s.task(), Metric.SPAN_RECALL));
        }
    }

    @Test
    void partsAAndBMeetTheBarForEveryTask() throws Exception {
        // the 320 cases the parsers were first tuned on: the bar itself, no floor
        List<Path> files = corpus().stream().filter(p -> p.getParent().getFileName().toString().equals("parse-corpus")).toList();
        assertThat(files).hasSize(2);
        for (TaskScore s : ParseEval.run(files).scores()) {
            assertThat(s.recall()).as(s.task() + " item recall").isGreaterThanOrEqualTo(MIN_ITEM_RECALL);
            assertThat(s.precision()).as(s.task() + " item precision").isGreaterThanOrEqualTo(MIN_ITEM_PRECISION);
            assertThat(s.spanRecall()).as(s.task() + " span recall").isGreaterThanOrEqualTo(MIN_SPAN_RECALL);
        }
    }
}
