package dev.asclepius.tasks.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.Task;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The parsers on the blind corpus (src/test/resources/parse-corpus, written by engineers who had not read
 * the parsers): issue #10's bar for every task, the same numbers {@code asclepius eval-parse} prints.
 */
class ParseCorpusTest {
    static final double MIN_ITEM_RECALL = 0.95;
    static final double MIN_ITEM_PRECISION = 0.95;
    static final double MIN_SPAN_RECALL = 0.90;

    static List<Path> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(ParseCorpusTest.class.getResource("/parse-corpus").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void everyTaskMeetsTheBar() throws Exception {
        List<Path> files = corpus();
        assertThat(files).as("corpus files").isNotEmpty();
        ParseEvalReport report = ParseEval.run(files);
        System.out.println(report.format());
        assertThat(report.scores()).extracting(TaskScore::task).containsExactly(Task.values());
        assertThat(report.misses()).as("spans must be the note's text").noneMatch(m -> m.kind() == Miss.Kind.SPAN_INEXACT);
        for (TaskScore s : report.scores()) {
            assertThat(s.recall()).as(s.task() + " item recall").isGreaterThanOrEqualTo(MIN_ITEM_RECALL);
            assertThat(s.precision()).as(s.task() + " item precision").isGreaterThanOrEqualTo(MIN_ITEM_PRECISION);
            assertThat(s.spanRecall()).as(s.task() + " span recall").isGreaterThanOrEqualTo(MIN_SPAN_RECALL);
        }
    }
}
