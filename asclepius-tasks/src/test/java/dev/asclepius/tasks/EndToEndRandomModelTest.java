package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every task through the real engine on a tiny random-weight model (real LLaMA tokenizer). The answers
 * are noise, which is the point: whatever the model says, the client must return a value whose spans
 * are real offsets into the note, and account for exactly the prompts it sent.
 */
class EndToEndRandomModelTest {
    private static final int MAX_NEW_TOKENS = 24;

    @TempDir
    static Path dir;

    static AsclepiusClient client;

    @BeforeAll
    static void loadTinyModel() {
        RandomModelWriter.write(dir, RandomModelSpec.tiny());
        client = AsclepiusClient.builder().model(dir)
                .generation(GenerationConfig.builder().maxNewTokens(MAX_NEW_TOKENS).build()).build();
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void analyzeEqualsTheTasksOneByOne() {
        // All questions about the note go out as one batch sharing the note's prefix; under greedy decoding
        // every raw answer must be what the one-by-one methods get.
        Analysis analysis = client.analyze(Fixtures.NOTE, java.util.EnumSet.allOf(Task.class),
                List.of("What follow-up is planned?"));
        assertThat(analysis.entities().orElseThrow().rawResponses())
                .isEqualTo(client.entities(Fixtures.NOTE).rawResponses());
        assertThat(analysis.abbreviations().orElseThrow().rawResponses())
                .isEqualTo(client.abbreviations(Fixtures.NOTE).rawResponses());
        assertThat(analysis.relations().orElseThrow().rawResponses()).isEqualTo(client.relations(Fixtures.NOTE).rawResponses());
        assertThat(analysis.timeline().orElseThrow().rawResponses()).isEqualTo(client.timeline(Fixtures.NOTE).rawResponses());
        assertThat(analysis.coreferences().orElseThrow().rawResponses())
                .isEqualTo(client.coreferences(Fixtures.NOTE).rawResponses());
        assertThat(analysis.paraphrase().orElseThrow().rawResponses()).isEqualTo(client.paraphrase(Fixtures.NOTE).rawResponses());
        assertThat(analysis.summary().orElseThrow().rawResponses()).isEqualTo(client.summarize(Fixtures.NOTE).rawResponses());
        assertThat(analysis.answers()).hasSize(1);
        assertThat(analysis.answers().get(0).rawResponses())
                .isEqualTo(client.ask(Fixtures.NOTE, "What follow-up is planned?").rawResponses());
        assertThat(analysis.entities().orElseThrow().value())
                .isEqualTo(client.entities(Fixtures.NOTE).value());
        for (TaskResult<?> r : analysis.all()) {
            for (Span span : spansIn(r.value())) {
                assertThat(Fixtures.TEXT.substring(span.begin(), span.end())).as("span %s", span).isEqualTo(span.text());
            }
        }
    }

    @Test
    void theClientTellsHowManySequencesFitItsKvBudget() {
        dev.asclepius.core.LocalModel local = (dev.asclepius.core.LocalModel) client.model();
        long perSequence = local.kvCacheBytes(1, 1000);
        try (AsclepiusClient budgeted = AsclepiusClient.builder()
                .model(dev.asclepius.core.LocalModel.builder(dir).kvCacheBudget(3 * perSequence + 1)).build()) {
            assertThat(budgeted.maxSequences(1000)).hasValue(3);
            assertThat(budgeted.maxSequences(500)).hasValue(6);
        }
        assertThat(client.maxSequences(1000)).hasValue(Integer.MAX_VALUE);   // no budget set
    }

    @Test
    void analyzeRunsOnlyTheChosenTasks() {
        Analysis analysis = client.analyze(Fixtures.NOTE, java.util.EnumSet.of(Task.TIMELINE, Task.SUMMARY));
        assertThat(analysis.timeline()).isPresent();
        assertThat(analysis.summary()).isPresent();
        assertThat(analysis.entities()).isEmpty();
        assertThat(analysis.answers()).isEmpty();
        assertThatThrownBy(() -> client.analyze(Fixtures.NOTE, java.util.EnumSet.of(Task.QUESTION_ANSWERING)))
                .isInstanceOf(dev.asclepius.core.InvalidInputException.class);
    }

    @Test
    void entitiesAsksFiveQuestions() {
        TaskResult<List<Entity>> result = check(() -> client.entities(Fixtures.NOTE));
        assertThat(result.exchanges()).hasSize(5);
        assertThat(result.instructions()).doesNotHaveDuplicates();
    }

    @Test
    void entitiesOfOneType() {
        TaskResult<List<Entity>> result = check(() -> client.entities(Fixtures.NOTE, EntityType.MEDICATION));
        assertThat(result.instruction()).contains("medications");
        assertThat(result.value()).allMatch(e -> e.type() == EntityType.MEDICATION);
    }

    @Test
    void abbreviations() {
        check(() -> client.abbreviations(Fixtures.NOTE));
    }

    @Test
    void oneAbbreviation() {
        TaskResult<Optional<Abbreviation>> result = check(() -> client.abbreviation(Fixtures.NOTE, "CHF"));
        assertThat(result.instruction()).contains("'CHF'");
    }

    @Test
    void relations() {
        check(() -> client.relations(Fixtures.NOTE));
    }

    @Test
    void relationBetweenTwoItems() {
        TaskResult<Optional<Relation>> result = check(() -> client.relation(Fixtures.NOTE, "Furosemide", "CHF exacerbation"));
        assertThat(result.instruction()).contains("'Furosemide'").contains("'CHF exacerbation'");
    }

    @Test
    void timeline() {
        check(() -> client.timeline(Fixtures.NOTE));
    }

    @Test
    void coreferences() {
        check(() -> client.coreferences(Fixtures.NOTE));
    }

    @Test
    void paraphraseStreamsTheSameText() {
        StringBuilder streamed = new StringBuilder();
        TaskResult<Paraphrase> result = check(() -> client.paraphrase(Fixtures.NOTE, (delta, id) -> streamed.append(delta)));
        assertThat(streamed.toString()).isEqualTo(result.rawResponse());
    }

    @Test
    void summarize() {
        check(() -> client.summarize(Fixtures.NOTE));
    }

    @Test
    void summarizeWithFocus() {
        TaskResult<Summary> result = check(() -> client.summarize(Fixtures.NOTE, "medication changes"));
        assertThat(result.instruction()).contains("medication changes");
    }

    @Test
    void ask() {
        String question = "What follow-up is planned?";
        TaskResult<Answer> result = check(() -> client.ask(Fixtures.NOTE, question));
        assertThat(result.instruction()).isEqualTo(question);
    }

    /**
     * Runs one task call and checks what every task owes: a value, one exchange per instruction with its
     * raw answer and accounting, prompts of exactly {@code INFERENCE.format(note, instruction)}, and spans
     * that cut their own text out of the note.
     */
    private static <T> TaskResult<T> check(Supplier<TaskResult<T>> call) {
        TaskResult<T> result = call.get();
        assertThat(result.value()).isNotNull();
        assertThat(result.exchanges()).isNotEmpty();
        TextTokenizer tokenizer = client.model().tokenizer().orElseThrow();
        for (Exchange e : result.exchanges()) {
            assertThat(e.instruction()).isNotBlank();
            assertThat(e.rawResponse()).isNotNull();
            assertThat(e.generatedTokens()).isBetween(1, MAX_NEW_TOKENS);
            // The prompt the engine counted is the one the docs promise: the inference template around note and instruction.
            String prompt = PromptTemplate.INFERENCE.format(Fixtures.TEXT, e.instruction());
            assertThat(e.promptTokens()).isEqualTo(tokenizer.encode(prompt).length);
            assertThat(e.prefillTime()).isPositive();
            assertThat(e.wallTime()).isGreaterThanOrEqualTo(e.prefillTime().plus(e.decodeTime()));
        }
        assertThat(result.rawResponses()).hasSameSizeAs(result.exchanges());
        assertThat(result.finishReasons()).hasSameSizeAs(result.exchanges());
        assertThat(result.promptTokens()).isPositive();
        assertThat(result.generatedTokens()).isPositive();
        assertThat(result.totalTime()).isGreaterThan(Duration.ZERO);
        for (Span span : spansIn(result.value())) {
            assertThat(Fixtures.TEXT.substring(span.begin(), span.end())).as("span %s", span).isEqualTo(span.text());
        }
        return result;
    }

    /** Every Span reachable from a task value (records, lists, Optionals), found by walking record components. */
    static List<Span> spansIn(Object value) {
        List<Span> spans = new ArrayList<>();
        collect(value, spans);
        return spans;
    }

    private static void collect(Object value, List<Span> spans) {
        if (value instanceof Span span) {
            spans.add(span);
        } else if (value instanceof Optional<?> optional) {
            optional.ifPresent(v -> collect(v, spans));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collect(v, spans));
        } else if (value != null && value.getClass().isRecord()) {
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                try {
                    collect(component.getAccessor().invoke(value), spans);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
