package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.PromptTemplate;
import java.nio.file.Path;
import dev.asclepius.tasks.internal.EntityTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsclepiusClientTest {

    private static final ClinicalNote NOTE = Fixtures.NOTE;

    /** Answers in the shapes the model gives, keyed on the question asked. */
    private static String answer(String instruction) {
        if (instruction.equals(EntityTask.question(EntityType.CONDITION))) {
            return "1. Hypertension\n2. Congestive heart failure";
        }
        if (instruction.equals(EntityTask.question(EntityType.MEDICATION))) {
            return "- Metformin 500 mg PO BID\n- Lisinopril 10 mg PO daily";
        }
        if (instruction.equals(EntityTask.question(EntityType.TEST))) {
            return "Troponin - elevated at 0.8 ng/mL";
        }
        if (instruction.equals(EntityTask.question(EntityType.PROCEDURE))) {
            return "The patient underwent cardiac catheterization.";
        }
        if (instruction.equals(EntityTask.question(EntityType.LIFESTYLE_FACTOR))) {
            return "There is no mention of exercise habits.";
        }
        if (instruction.contains("abbreviations")) {
            return "CHF: congestive heart failure\nHTN: hypertension\nPCI: percutaneous coronary interv" + ScriptedModel.CUT;
        }
        if (instruction.contains("'CHF'")) {
            return "CHF stands for congestive heart failure.";
        }
        if (instruction.contains("connections")) {
            return "Furosemide - treats - CHF exacerbation";
        }
        if (instruction.contains("connection between")) {
            return "Lisinopril is used to treat the patient's hypertension.";
        }
        if (instruction.contains("temporal")) {
            return "Admission: 03/14/2019\nPCI: 03/16/2019";
        }
        if (instruction.contains("coreferents")) {
            return "'He' refers to the patient.";
        }
        if (instruction.contains("does 'it' refer")) {
            return "It refers to clopidogrel.";
        }
        if (instruction.contains("paraphrase") || instruction.contains("rephrase")) {
            return "Sure! In simpler terms, the heart was weak and fluid built up in the lungs.";
        }
        if (instruction.contains("summar")) {
            return "- CHF exacerbation treated with furosemide\n- PCI to the LAD";
        }
        return "Answer to: " + instruction + " Repeat echocardiogram in 3 months.";
    }

    private static ScriptedModel model() {
        return new ScriptedModel(AsclepiusClientTest::answer);
    }

    private static AsclepiusClient client(ScriptedModel model) {
        return AsclepiusClient.builder().model(model).build();
    }

    @Test
    void sendsExactlyTheInferencePromptAndParsesTheAnswer() {
        ScriptedModel model = model();
        try (AsclepiusClient client = client(model)) {
            TaskResult<Answer> r = client.ask(NOTE, "What follow-up is planned?");
            assertThat(model.prompts).containsExactly(PromptTemplate.INFERENCE.format(NOTE.text(), "What follow-up is planned?"));
            assertThat(r.instruction()).isEqualTo("What follow-up is planned?");
            assertThat(r.rawResponse()).isEqualTo("Answer to: What follow-up is planned? Repeat echocardiogram in 3 months.");
            assertThat(r.value().found()).isTrue();
            assertThat(r.value().evidence()).extracting(Evidence::quote).containsExactly("Repeat echocardiogram in 3 months");
            assertThat(r.grounding()).isEqualTo(new Grounding(1, 0, 0, 0));
            assertThat(r.finishReasons()).containsExactly(FinishReason.EOS);
            assertThat(r.generatedTokens()).isPositive();
            assertThat(r.promptTokens()).isPositive();
            assertThat(r.totalTime()).isPositive();
            assertThat(model.configs).containsExactly(GenerationConfig.greedy());
        }
    }

    @Test
    void usesTheConfiguredTemplateAndGenerationSettings() {
        ScriptedModel model = model();
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(64).build();
        try (AsclepiusClient client = AsclepiusClient.builder().model(model).promptTemplate(PromptTemplate.TRAINING)
                .generation(config).build()) {
            TaskResult<Summary> r = client.summarize(NOTE);
            assertThat(model.prompts).containsExactly(PromptTemplate.TRAINING.format(NOTE.text(), r.instruction()));
            assertThat(model.configs).containsOnly(config);
        }
    }

    @Test
    void entitiesAsksFiveQuestionsAndMergesTheAnswers() {
        ScriptedModel model = model();
        try (AsclepiusClient client = client(model)) {
            TaskResult<List<Entity>> r = client.entities(NOTE);
            assertThat(r.exchanges()).hasSize(5);
            assertThat(r.instructions()).containsExactly(EntityTask.question(EntityType.CONDITION),
                    EntityTask.question(EntityType.MEDICATION), EntityTask.question(EntityType.TEST),
                    EntityTask.question(EntityType.PROCEDURE), EntityTask.question(EntityType.LIFESTYLE_FACTOR));
            assertThat(model.prompts).hasSize(5);
            assertThat(r.value()).extracting(Entity::text, Entity::type).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("Hypertension", EntityType.CONDITION),
                    org.assertj.core.groups.Tuple.tuple("Congestive heart failure", EntityType.CONDITION),
                    org.assertj.core.groups.Tuple.tuple("Metformin", EntityType.MEDICATION),
                    org.assertj.core.groups.Tuple.tuple("Lisinopril", EntityType.MEDICATION),
                    org.assertj.core.groups.Tuple.tuple("Troponin", EntityType.TEST),
                    org.assertj.core.groups.Tuple.tuple("cardiac catheterization", EntityType.PROCEDURE));
            assertThat(r.value().get(2).dosage()).contains("500 mg PO BID");
            assertThat(r.rawResponses()).hasSize(5);
            assertThat(r.grounding().items()).isEqualTo(6);
            assertThat(r.value()).allSatisfy(e -> Fixtures.assertValid(e.spans()));

            TaskResult<List<Entity>> meds = client.entities(NOTE, EntityType.MEDICATION);
            assertThat(meds.instructions()).containsExactly(EntityTask.question(EntityType.MEDICATION));
            assertThat(meds.value()).extracting(Entity::type).containsOnly(EntityType.MEDICATION);
        }
    }

    @Test
    void everyTaskMethodReturnsItsTypedValue() {
        try (AsclepiusClient client = client(model())) {
            TaskResult<List<Abbreviation>> abbreviations = client.abbreviations(NOTE);
            assertThat(abbreviations.value()).extracting(Abbreviation::shortForm).containsExactly("CHF", "HTN");
            assertThat(abbreviations.truncated()).as("the cut PCI line is dropped").isTrue();
            assertThat(client.abbreviation(NOTE, "CHF").value()).map(Abbreviation::expansion).contains("congestive heart failure");
            assertThat(client.relations(NOTE).value()).singleElement().extracting(Relation::head).isEqualTo("Furosemide");
            assertThat(client.relation(NOTE, "Lisinopril", "hypertension").value()).map(Relation::relation).contains("used to treat");
            assertThat(client.timeline(NOTE).value().events()).extracting(TimelineEvent::normalized)
                    .containsExactly(Optional.of(new NormalizedTime(NormalizedTime.Kind.DATE, "2019-03-14")),
                            Optional.of(new NormalizedTime(NormalizedTime.Kind.DATE, "2019-03-16")));
            assertThat(client.coreferences(NOTE).value()).singleElement().extracting(CoreferenceChain::referent).isEqualTo("the patient");
            assertThat(client.coreference(NOTE, "it").value()).map(CoreferenceChain::referent).contains("clopidogrel");
            assertThat(client.paraphrase(NOTE).value().text()).isEqualTo("the heart was weak and fluid built up in the lungs.");
            TaskResult<Paraphrase> one = client.paraphrase(NOTE, "A chest X-ray revealed mild pulmonary edema");
            assertThat(one.value().original()).contains("A chest X-ray revealed mild pulmonary edema");
            assertThat(one.grounding()).isEqualTo(new Grounding(1, 0, 0, 0));
            assertThat(client.summarize(NOTE).value().keyPoints()).hasSize(2);
            assertThat(client.summarize(NOTE, "medication changes").instruction()).contains("medication changes");
        }
    }

    @Test
    void streamingDeliversDeltasThatConcatenateToTheRawAnswer() {
        try (AsclepiusClient client = client(model())) {
            StringBuilder streamed = new StringBuilder();
            TaskResult<Summary> s = client.summarize(NOTE, (delta, id) -> streamed.append(delta));
            assertThat(streamed.toString()).isEqualTo(s.rawResponse());
            StringBuilder streamedAnswer = new StringBuilder();
            TaskResult<Answer> a = client.ask(NOTE, "Why was furosemide given?", (delta, id) -> streamedAnswer.append(delta));
            assertThat(streamedAnswer.toString()).isEqualTo(a.rawResponse());
            StringBuilder streamedParaphrase = new StringBuilder();
            TaskResult<Paraphrase> p = client.paraphrase(NOTE, (delta, id) -> streamedParaphrase.append(delta));
            assertThat(streamedParaphrase.toString()).isEqualTo(p.rawResponse());
        }
    }

    @Test
    void asyncFormsRunOnTheSuppliedExecutor() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger submitted = new AtomicInteger();
        try (AsclepiusClient client = AsclepiusClient.builder().model(model())
                .executor(r -> {
                    submitted.incrementAndGet();
                    pool.execute(r);
                }).build()) {
            CompletableFuture<TaskResult<Answer>> answer = client.async(c -> c.ask(NOTE, "What follow-up is planned?"));
            CompletableFuture<TaskResult<Summary>> summary = client.async(c -> c.summarize(NOTE, (d, id) -> { }));
            CompletableFuture<TaskResult<Optional<Relation>>> relation = client.async(c -> c.relation(NOTE, "Lisinopril", "hypertension"));
            assertThat(answer.get(10, TimeUnit.SECONDS).value().found()).isTrue();
            assertThat(summary.get(10, TimeUnit.SECONDS).value().keyPoints()).hasSize(2);
            assertThat(relation.get(10, TimeUnit.SECONDS).value()).isPresent();
            assertThat(client.async(c -> c.entities(NOTE)).get(10, TimeUnit.SECONDS).exchanges()).hasSize(5);
            assertThat(submitted.get()).isEqualTo(4);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void asyncFormsUseTheClientsOwnThreadsByDefault() throws Exception {
        try (AsclepiusClient client = client(model())) {
            assertThat(client.async(c -> c.timeline(NOTE)).get(10, TimeUnit.SECONDS).value().events()).hasSize(2);
            assertThat(client.async(c -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                    .startsWith("asclepius-client-");
        }
    }

    @Test
    void concurrentCallsFromManyThreadsEachGetTheirOwnAnswer() throws Exception {
        ScriptedModel model = model();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (AsclepiusClient client = client(model)) {
            List<Future<TaskResult<Answer>>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String q = "Question number " + i + "?";
                futures.add(pool.submit(() -> client.ask(NOTE, q)));
            }
            for (int i = 0; i < futures.size(); i++) {
                TaskResult<Answer> r = futures.get(i).get(10, TimeUnit.SECONDS);
                assertThat(r.instruction()).isEqualTo("Question number " + i + "?");
                assertThat(r.rawResponse()).startsWith("Answer to: Question number " + i + "?");
            }
            assertThat(model.prompts).hasSize(64);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void derivedClientsShareTheModelUntilTheLastOwnerCloses() {
        ScriptedModel model = model();
        AsclepiusClient parent = AsclepiusClient.builder().model(model).closeModel(true).build();
        GenerationConfig shorter = GenerationConfig.builder().maxNewTokens(32).build();
        AsclepiusClient child = parent.newBuilder().generation(shorter).build();
        assertThat(child.model()).isSameAs(parent.model());
        assertThat(child.generation()).isEqualTo(shorter);
        assertThat(child.promptTemplate()).isEqualTo(parent.promptTemplate());

        child.ask(NOTE, "Q?");
        assertThat(model.configs).containsExactly(shorter);
        child.close();
        assertThat(model.isClosed()).isFalse();
        assertThatThrownBy(() -> child.ask(NOTE, "Q?")).isInstanceOf(ModelClosedException.class);
        assertThat(parent.ask(NOTE, "Still open?").value().found()).isTrue();

        AsclepiusClient second = parent.newBuilder().build();
        parent.close();
        assertThat(model.isClosed()).as("a derived client still uses it").isFalse();
        assertThat(second.ask(NOTE, "Q?").value().text()).isNotEmpty();
        second.close();
        second.close(); // idempotent
        assertThat(model.isClosed()).isTrue();
        assertThat(model.closeCalls.get()).isEqualTo(1);
    }

    @Test
    void aModelTheClientDidNotCreateIsLeftOpen() {
        ScriptedModel model = model();
        AsclepiusClient client = client(model);
        AsclepiusClient child = client.newBuilder().build();
        child.close();
        client.close();
        assertThat(model.isClosed()).isFalse();
    }

    @Test
    void callsAfterCloseFail() {
        AsclepiusClient client = client(model());
        client.close();
        assertThat(client.isClosed()).isTrue();
        assertThatThrownBy(() -> client.entities(NOTE)).isInstanceOf(ModelClosedException.class);
        assertThatThrownBy(() -> client.summarize(NOTE, (d, id) -> { })).isInstanceOf(ModelClosedException.class);
        assertThatThrownBy(client::newBuilder).isInstanceOf(ModelClosedException.class);
        assertThatThrownBy(() -> client.async(c -> c.ask(NOTE, "Q?"))).isInstanceOf(ModelClosedException.class);
    }

    @Test
    void aDerivedBuilderFailsOnceItsParentHasClosed() {
        AsclepiusClient client = client(model());
        AsclepiusClient.Builder builder = client.newBuilder();
        client.close();
        assertThatThrownBy(builder::build).isInstanceOf(ModelClosedException.class);
    }

    @Test
    void asyncFailuresArriveThroughTheFuture() {
        ScriptedModel model = model();
        try (AsclepiusClient client = client(model)) {
            model.close();
            CompletableFuture<TaskResult<Answer>> f = client.async(c -> c.ask(NOTE, "Q?"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ModelClosedException.class);
        }
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        assertThatThrownBy(() -> ClinicalNote.of("")).isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ClinicalNote.of("  \n ")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ClinicalNote.of(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AsclepiusClient.builder().build()).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> AsclepiusClient.builder().model(model()).revision("v1").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("hub id");
        assertThatThrownBy(() -> AsclepiusClient.builder().model(Path.of("/no/such/model")).closeModel(true).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model(LanguageModel)");
        try (AsclepiusClient client = client(model())) {
            assertThatThrownBy(() -> client.ask(NOTE, " ")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> client.ask(null, "Q?")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> client.abbreviation(NOTE, "")).isInstanceOf(InvalidInputException.class);
        }
    }
}
