package dev.asclepius.tasks;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.CoreferenceTask;
import dev.asclepius.tasks.internal.DaemonThreads;
import dev.asclepius.tasks.internal.EntityTask;
import dev.asclepius.tasks.internal.ModelLease;
import dev.asclepius.tasks.internal.ClientModelSource;
import dev.asclepius.tasks.internal.ParaphraseTask;
import dev.asclepius.tasks.internal.QuestionTask;
import dev.asclepius.tasks.internal.RelationTask;
import dev.asclepius.tasks.internal.SummaryTask;
import dev.asclepius.tasks.internal.TaskRunner;
import dev.asclepius.tasks.internal.TaskSpec;
import dev.asclepius.tasks.internal.TimelineTask;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Typed clinical tasks over a note, answered by an Asclepius model.
 *
 * <pre>{@code
 * try (AsclepiusClient client = AsclepiusClient.builder().model(Path.of("/models/Asclepius-7B")).build()) {
 *     ClinicalNote note = ClinicalNote.of(text);
 *     List<Entity> entities = client.entities(note).value();
 *     Answer answer = client.ask(note, "What follow-up is planned?").value();
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: any number of threads may call it at once (the model serves them as it
 * can). Each task sends one or more natural questions in the style the model was trained on, parses the
 * answers and aligns every extracted item to the note. {@link #newBuilder()} derives clients with other
 * settings that share the loaded model; the model is closed when the last client that owns it closes.
 * Every task has one asynchronous form, {@link #async(Function)}: {@code client.async(c -> c.entities(note))}.
 */
public final class AsclepiusClient implements AutoCloseable {

    private final TaskRunner runner;
    private final Executor executor;
    private final Optional<ExecutorService> ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AsclepiusClient(ModelLease lease, GenerationConfig generation, PromptTemplate template,
                            Optional<Executor> executor) {
        this.runner = new TaskRunner(lease, generation, template, this::ensureOpen);
        this.ownedExecutor = executor.isPresent() ? Optional.empty() : Optional.of(DaemonThreads.pool("asclepius-client-"));
        this.executor = executor.isPresent() ? executor.get() : ownedExecutor.get();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for a client that shares this client's model (and starts from its settings). The model
     * stays open until this client and every client derived from it are closed.
     */
    public Builder newBuilder() {
        ensureOpen();
        Builder b = new Builder();
        b.source = new ClientModelSource.Shared(runner.lease(), this::ensureOpen);
        b.generation = runner.generation();
        b.template = runner.template();
        if (ownedExecutor.isEmpty()) {
            b.executor = Optional.of(executor);
        }
        return b;
    }

    /**
     * How many sequences of up to {@code tokens} tokens (prompt plus answer) the local model's KV cache
     * budget allows in one batch; empty for a remote model (the server decides).
     */
    public OptionalInt maxSequences(int tokens) {
        return runner.lease().model() instanceof LocalModel local ? OptionalInt.of(local.maxSequences(tokens))
                : OptionalInt.empty();
    }

    public LanguageModel model() {
        ensureOpen();
        return runner.lease().model();
    }

    public GenerationConfig generation() {
        return runner.generation();
    }

    public PromptTemplate promptTemplate() {
        return runner.template();
    }

    public boolean isClosed() {
        return closed.get();
    }

    // ---- entities

    /** Conditions, medications (with dosages), tests (with results), procedures and lifestyle factors: five questions. */
    public TaskResult<List<Entity>> entities(ClinicalNote note) {
        return run(note, new EntityTask(List.of()), TokenListener.NONE);
    }

    /** Entities of one kind: one question. */
    public TaskResult<List<Entity>> entities(ClinicalNote note, EntityType type) {
        Objects.requireNonNull(type, "type");
        return run(note, new EntityTask(List.of(type)), TokenListener.NONE);
    }

    // ---- abbreviations

    public TaskResult<List<Abbreviation>> abbreviations(ClinicalNote note) {
        return run(note, AbbreviationTask.all(), TokenListener.NONE);
    }

    /** The expansion of one abbreviation ("CHF"); empty when the model says the note does not use it. */
    public TaskResult<Optional<Abbreviation>> abbreviation(ClinicalNote note, String shortForm) {
        return run(note, AbbreviationTask.one(requireText(shortForm, "abbreviation")), TokenListener.NONE);
    }

    // ---- relations

    public TaskResult<List<Relation>> relations(ClinicalNote note) {
        return run(note, RelationTask.all(), TokenListener.NONE);
    }

    /** The relation between two named items; empty when the model finds none. */
    public TaskResult<Optional<Relation>> relation(ClinicalNote note, String a, String b) {
        return run(note, RelationTask.between(requireText(a, "first item"), requireText(b, "second item")),
                TokenListener.NONE);
    }

    // ---- timeline

    public TaskResult<Timeline> timeline(ClinicalNote note) {
        return run(note, new TimelineTask(), TokenListener.NONE);
    }

    // ---- coreference

    public TaskResult<List<CoreferenceChain>> coreferences(ClinicalNote note) {
        return run(note, CoreferenceTask.all(), TokenListener.NONE);
    }

    /** What one pronoun or phrase ("he", "this procedure") refers to. */
    public TaskResult<Optional<CoreferenceChain>> coreference(ClinicalNote note, String mention) {
        return run(note, CoreferenceTask.of(requireText(mention, "mention")), TokenListener.NONE);
    }

    // ---- long answers: plain, streaming

    public TaskResult<Paraphrase> paraphrase(ClinicalNote note) {
        return paraphrase(note, TokenListener.NONE);
    }

    public TaskResult<Paraphrase> paraphrase(ClinicalNote note, TokenListener listener) {
        return run(note, new ParaphraseTask(Optional.empty()), listener);
    }

    /** A plain-language rewording of one sentence or term of the note. */
    public TaskResult<Paraphrase> paraphrase(ClinicalNote note, String sentence) {
        return paraphrase(note, sentence, TokenListener.NONE);
    }

    public TaskResult<Paraphrase> paraphrase(ClinicalNote note, String sentence, TokenListener listener) {
        return run(note, new ParaphraseTask(Optional.of(requireText(sentence, "sentence"))), listener);
    }

    public TaskResult<Summary> summarize(ClinicalNote note) {
        return summarize(note, TokenListener.NONE);
    }

    public TaskResult<Summary> summarize(ClinicalNote note, TokenListener listener) {
        return run(note, new SummaryTask(Optional.empty()), listener);
    }

    /** A summary of what the note says about {@code focus} ("medication changes", "discharge planning"). */
    public TaskResult<Summary> summarize(ClinicalNote note, String focus) {
        return summarize(note, focus, TokenListener.NONE);
    }

    public TaskResult<Summary> summarize(ClinicalNote note, String focus, TokenListener listener) {
        return run(note, new SummaryTask(Optional.of(requireText(focus, "focus"))), listener);
    }

    /** A free question about the note, sent as written. */
    public TaskResult<Answer> ask(ClinicalNote note, String question) {
        return ask(note, question, TokenListener.NONE);
    }

    public TaskResult<Answer> ask(ClinicalNote note, String question, TokenListener listener) {
        return run(note, new QuestionTask(requireText(question, "question")), listener);
    }

    // ---- the asynchronous form

    /**
     * Runs {@code call} on the client's executor, for any task and any of its forms:
     * {@code client.async(c -> c.entities(note))}, {@code client.async(c -> c.relation(note, "a", "b"))},
     * {@code client.async(c -> c.summarize(note, listener))}. The future fails with the task's exception
     * ({@link ModelClosedException} once the client is closed).
     *
     * @throws ModelClosedException if the client is closed already
     */
    public <T> CompletableFuture<T> async(Function<AsclepiusClient, T> call) {
        ensureOpen();
        try {
            return CompletableFuture.supplyAsync(() -> call.apply(this), executor);
        } catch (RejectedExecutionException e) {
            throw new ModelClosedException("This AsclepiusClient is closed"); // closed while submitting
        }
    }

    // ---- every task at once

    /**
     * Runs every task except question answering on {@code note} in one go: all questions are generated
     * together, so a local model computes the prompt's shared part (template and note) once and decodes
     * the answers as one batch; a remote model gets them concurrently. Results equal the one-by-one
     * methods' under greedy decoding.
     */
    public Analysis analyze(ClinicalNote note) {
        return analyze(note, EnumSet.complementOf(EnumSet.of(Task.QUESTION_ANSWERING)), List.of());
    }

    /** {@link #analyze(ClinicalNote)} for the chosen tasks (question answering needs the three-argument form). */
    public Analysis analyze(ClinicalNote note, Set<Task> tasks) {
        return analyze(note, tasks, List.of());
    }

    /**
     * {@link #analyze(ClinicalNote)} for the chosen tasks plus free questions (answered when
     * {@code questions} is not empty, whether or not {@code tasks} names question answering).
     */
    public Analysis analyze(ClinicalNote note, Set<Task> tasks, List<String> questions) {
        return runner.analyze(note, tasks, questions);
    }

    private <T> TaskResult<T> run(ClinicalNote note, TaskSpec<T> spec, TokenListener listener) {
        return runner.run(note, spec, listener);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new ModelClosedException("This AsclepiusClient is closed");
        }
    }

    private static String requireText(String value, String what) {
        return TaskRunner.requireText(value, what);
    }

    /** Releases this client's share of the model (closing it if this was the last owner) and its own executor. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ownedExecutor.ifPresent(ExecutorService::shutdown);
            runner.lease().release();
        }
    }

    /**
     * Settings for a client. One model source is required (unless derived with {@link #newBuilder()}):
     * {@link #model(LanguageModel)}, {@link #model(LocalModel.Builder)}, {@link #model(Path)},
     * {@link #model(String)} or {@link #remote(URI, String)}. Each call of one of them replaces the source
     * set before (the last call wins), together with the model of a derived builder. Everything else is
     * optional. The model's own options (device, weight type, threads, KV cache budget, ...) are set on a
     * {@link LocalModel.Builder}, never here, so that every one of them is available.
     */
    public static final class Builder {
        private ClientModelSource source;
        private Optional<String> ggufFile = Optional.empty();
        private Optional<String> revision = Optional.empty();
        private Optional<Boolean> offline = Optional.empty();
        private Optional<HubModels> hub = Optional.empty();
        private boolean closeModel;
        private GenerationConfig generation = GenerationConfig.greedy();
        private PromptTemplate template = PromptTemplate.INFERENCE;
        private Optional<Executor> executor = Optional.empty();

        private Builder() {
        }

        /** Uses an already loaded model, which the caller owns: the client does not close it (see {@link #closeModel}). */
        public Builder model(LanguageModel model) {
            source = new ClientModelSource.Given(Objects.requireNonNull(model, "model"), false);
            return this;
        }

        /**
         * Builds the local model at {@link #build()} with the caller's options
         * ({@code LocalModel.builder(dir).decodeThreads(1).kvCacheBudget(...)}); the client owns and closes it.
         */
        public Builder model(LocalModel.Builder model) {
            source = new ClientModelSource.Build(Objects.requireNonNull(model, "model"));
            return this;
        }

        /**
         * Loads the model folder at {@link #build()} with {@link LocalModel}'s defaults (a {@code .gguf} file:
         * on llama.cpp, see {@link #ggufFile}); the client owns and closes it. For other options pass a
         * {@link LocalModel.Builder}.
         */
        public Builder model(Path modelDir) {
            source = new ClientModelSource.Reference(Objects.requireNonNull(modelDir, "modelDir").toString(), true,
                    Optional.empty(), ClientModelSource.HubSettings.DEFAULT);
            return this;
        }

        /**
         * Loads a model at {@link #build()} from a folder, when {@code folderOrHubId} names an existing one, or
         * else from the Hugging Face hub id it gives ({@code "starmpcc/Asclepius-7B"}): the snapshot in the hub
         * cache, downloaded first if missing (see {@link HubModels}, {@link #revision}, {@link #offline},
         * {@link #hub}). The client owns and closes it.
         */
        public Builder model(String folderOrHubId) {
            source = new ClientModelSource.Reference(Objects.requireNonNull(folderOrHubId, "folderOrHubId"), false,
                    Optional.empty(), ClientModelSource.HubSettings.DEFAULT);
            return this;
        }

        /**
         * {@link #model(String)} with the local model's options set by {@code options} on the
         * {@link LocalModel.Builder} of the resolved folder: {@code model("org/x", b -> b.decodeThreads(1))}.
         */
        public Builder model(String folderOrHubId, Consumer<LocalModel.Builder> options) {
            source = new ClientModelSource.Reference(Objects.requireNonNull(folderOrHubId, "folderOrHubId"), false,
                    Optional.of(Objects.requireNonNull(options, "options")), ClientModelSource.HubSettings.DEFAULT);
            return this;
        }

        /**
         * Uses the model {@code modelName} served by an OpenAI-compatible server at {@code baseUri} (vLLM,
         * {@code asclepius serve}) with {@link RemoteModel}'s defaults (API key from {@code OPENAI_API_KEY}),
         * created at {@link #build()}; the client owns it. For other settings (API key, timeouts, retries,
         * concurrency) build a {@link RemoteModel} and pass it to {@link #model(LanguageModel)}.
         */
        public Builder remote(URI baseUri, String modelName) {
            source = new ClientModelSource.Remote(baseUri, modelName);
            return this;
        }

        /**
         * A {@code .gguf} file inside the hub repository (or folder) given to {@link #model(String)}, e.g.
         * {@code "asclepius-7b.Q8_0.gguf"}: the model then runs on llama.cpp, which needs
         * {@code dev.asclepius:asclepius-llamacpp} on the class path. A {@code .gguf} path given to
         * {@code model(...)} itself needs no file name.
         */
        public Builder ggufFile(String value) {
            ggufFile = Optional.of(Objects.requireNonNull(value, "ggufFile"));
            return this;
        }

        /** The hub revision (branch, tag or commit) for a hub id given to {@link #model(String)}; default "main". */
        public Builder revision(String value) {
            revision = Optional.of(Objects.requireNonNull(value, "revision"));
            return this;
        }

        /** Resolve a hub id from the local cache only, never the network; default {@code $HF_HUB_OFFLINE}. */
        public Builder offline(boolean value) {
            offline = Optional.of(value);
            return this;
        }

        /** Hub settings (cache folder, endpoint, token, progress) for {@link #model(String)}; default the environment's. */
        public Builder hub(HubModels value) {
            hub = Optional.of(Objects.requireNonNull(value, "hub"));
            return this;
        }

        /**
         * Whether closing the client (the last one sharing it) closes the model given with
         * {@link #model(LanguageModel)}; default false. Models the client creates itself are always closed.
         */
        public Builder closeModel(boolean value) {
            closeModel = value;
            return this;
        }

        /** Generation settings for every task; default greedy with 400 new tokens. */
        public Builder generation(GenerationConfig value) {
            generation = Objects.requireNonNull(value, "generation");
            return this;
        }

        /** Prompt form; default {@link PromptTemplate#INFERENCE}. */
        public Builder promptTemplate(PromptTemplate value) {
            template = Objects.requireNonNull(value, "promptTemplate");
            return this;
        }

        /** Runs {@link AsclepiusClient#async} calls on {@code value} instead of the client's own daemon threads. */
        public Builder executor(Executor value) {
            executor = Optional.of(Objects.requireNonNull(value, "executor"));
            return this;
        }

        /**
         * Opens the model source (loading a model can take minutes) and returns the client.
         *
         * @throws InvalidInputException when no model source was given, or a setting does not apply to it
         */
        public AsclepiusClient build() {
            ClientModelSource chosen = ClientModelSource.withSettings(source, new ClientModelSource.HubSettings(ggufFile, revision,
                    offline, hub), closeModel);
            return new AsclepiusClient(chosen.open(), generation, template, executor);
        }
    }
}
