package dev.asclepius.tasks;

import dev.asclepius.core.ComputeType;
import dev.asclepius.core.Device;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.CoreferenceTask;
import dev.asclepius.tasks.internal.EntityTask;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.ModelLease;
import dev.asclepius.tasks.internal.ParaphraseTask;
import dev.asclepius.tasks.internal.QuestionTask;
import dev.asclepius.tasks.internal.RelationTask;
import dev.asclepius.tasks.internal.SummaryTask;
import dev.asclepius.tasks.internal.TaskSpec;
import dev.asclepius.tasks.internal.TimelineTask;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class AsclepiusClient implements AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ModelLease lease;
    private final GenerationConfig generation;
    private final PromptTemplate template;
    private final Executor executor;
    private final Optional<ExecutorService> ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AsclepiusClient(ModelLease lease, GenerationConfig generation, PromptTemplate template,
                            Optional<Executor> executor) {
        this.lease = lease;
        this.generation = generation;
        this.template = template;
        if (executor.isPresent()) {
            this.executor = executor.get();
            this.ownedExecutor = Optional.empty();
        } else {
            // Daemon threads: a client the caller forgets to close must not keep the JVM alive.
            ExecutorService pool = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "asclepius-client-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = pool;
            this.ownedExecutor = Optional.of(pool);
        }
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
        b.parent = this;
        b.generation = generation;
        b.template = template;
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
        return lease.model() instanceof LocalModel local ? OptionalInt.of(local.maxSequences(tokens)) : OptionalInt.empty();
    }

    public LanguageModel model() {
        ensureOpen();
        return lease.model();
    }

    public GenerationConfig generation() {
        return generation;
    }

    public PromptTemplate promptTemplate() {
        return template;
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

    // ---- asynchronous forms

    /**
     * Runs {@code call} on the client's executor: {@code client.async(c -> c.relation(note, "a", "b"))}.
     * The future fails with the task's exception ({@link ModelClosedException} once the client is closed).
     */
    public <T> CompletableFuture<T> async(Function<AsclepiusClient, T> call) {
        ensureOpen();
        try {
            return CompletableFuture.supplyAsync(() -> call.apply(this), executor);
        } catch (RejectedExecutionException e) {
            throw new ModelClosedException("This AsclepiusClient is closed"); // closed while submitting
        }
    }

    public CompletableFuture<TaskResult<List<Entity>>> entitiesAsync(ClinicalNote note) {
        return async(c -> c.entities(note));
    }

    public CompletableFuture<TaskResult<List<Abbreviation>>> abbreviationsAsync(ClinicalNote note) {
        return async(c -> c.abbreviations(note));
    }

    public CompletableFuture<TaskResult<List<Relation>>> relationsAsync(ClinicalNote note) {
        return async(c -> c.relations(note));
    }

    public CompletableFuture<TaskResult<Timeline>> timelineAsync(ClinicalNote note) {
        return async(c -> c.timeline(note));
    }

    public CompletableFuture<TaskResult<List<CoreferenceChain>>> coreferencesAsync(ClinicalNote note) {
        return async(c -> c.coreferences(note));
    }

    public CompletableFuture<TaskResult<Paraphrase>> paraphraseAsync(ClinicalNote note, TokenListener listener) {
        return async(c -> c.paraphrase(note, listener));
    }

    public CompletableFuture<TaskResult<Summary>> summarizeAsync(ClinicalNote note, TokenListener listener) {
        return async(c -> c.summarize(note, listener));
    }

    public CompletableFuture<TaskResult<Answer>> askAsync(ClinicalNote note, String question) {
        return askAsync(note, question, TokenListener.NONE);
    }

    public CompletableFuture<TaskResult<Answer>> askAsync(ClinicalNote note, String question, TokenListener listener) {
        return async(c -> c.ask(note, question, listener));
    }

    // ---- every task at once

    /**
     * Runs every task except question answering on {@code note} in one go: all questions are generated
     * together, so a local model computes the prompt's shared part (template and note) once and decodes
     * the answers as one batch; a remote model gets them concurrently. Results equal the one-by-one
     * methods' under greedy decoding.
     */
    public Analysis analyze(ClinicalNote note) {
        return analyze(note, java.util.EnumSet.complementOf(java.util.EnumSet.of(Task.QUESTION_ANSWERING)), List.of());
    }

    /** {@link #analyze(ClinicalNote)} for the chosen tasks (question answering needs the three-argument form). */
    public Analysis analyze(ClinicalNote note, java.util.Set<Task> tasks) {
        return analyze(note, tasks, List.of());
    }

    /**
     * {@link #analyze(ClinicalNote)} for the chosen tasks plus free questions (answered when
     * {@code questions} is not empty, whether or not {@code tasks} names question answering).
     */
    public Analysis analyze(ClinicalNote note, java.util.Set<Task> tasks, List<String> questions) {
        ensureOpen();
        if (note == null) {
            throw new InvalidInputException("The clinical note is null");
        }
        if (tasks.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
            throw new InvalidInputException("Question answering needs at least one question: pass them to analyze(note, tasks, questions).");
        }
        List<TaskSpec<?>> specs = new ArrayList<>();
        for (Task task : Task.values()) {
            if (tasks.contains(task) && task != Task.QUESTION_ANSWERING) {
                specs.add(wholeNoteSpec(task));
            }
        }
        for (String question : questions) {
            specs.add(new QuestionTask(requireText(question, "question")));
        }
        List<String> prompts = new ArrayList<>();
        List<String> instructions = new ArrayList<>();
        for (TaskSpec<?> spec : specs) {
            for (String instruction : spec.instructions()) {
                instructions.add(instruction);
                prompts.add(template.format(note.text(), instruction));
            }
        }
        long start = System.nanoTime();
        List<GenerationResult> results = lease.model().generateAll(prompts, generation);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        java.util.Map<Task, TaskResult<?>> byTask = new java.util.EnumMap<>(Task.class);
        List<TaskResult<Answer>> answers = new ArrayList<>();
        int next = 0;
        for (TaskSpec<?> spec : specs) {
            int count = spec.instructions().size();
            TaskResult<?> result = finish(note, spec, instructions.subList(next, next + count),
                    results.subList(next, next + count), wall);
            next += count;
            if (spec.task() == Task.QUESTION_ANSWERING) {
                answers.add(cast(result));
            } else {
                byTask.put(spec.task(), result);
            }
        }
        return new Analysis(note, typed(byTask, Task.ENTITIES), typed(byTask, Task.ABBREVIATIONS),
                typed(byTask, Task.RELATIONS), typed(byTask, Task.TIMELINE), typed(byTask, Task.COREFERENCES),
                typed(byTask, Task.PARAPHRASE), typed(byTask, Task.SUMMARY), answers, wall);
    }

    /** The whole-note form of each task, as its one-argument method sends it. */
    private static TaskSpec<?> wholeNoteSpec(Task task) {
        return switch (task) {
            case ENTITIES -> new EntityTask(List.of());
            case ABBREVIATIONS -> AbbreviationTask.all();
            case RELATIONS -> RelationTask.all();
            case TIMELINE -> new TimelineTask();
            case COREFERENCES -> CoreferenceTask.all();
            case PARAPHRASE -> new ParaphraseTask(Optional.empty());
            case SUMMARY -> new SummaryTask(Optional.empty());
            case QUESTION_ANSWERING -> throw new IllegalArgumentException("question answering needs a question");
        };
    }

    private static <T> Optional<TaskResult<T>> typed(java.util.Map<Task, TaskResult<?>> results, Task task) {
        return Optional.ofNullable(results.get(task)).map(AsclepiusClient::cast);
    }

    @SuppressWarnings("unchecked")
    private static <T> TaskResult<T> cast(TaskResult<?> result) {
        return (TaskResult<T>) result;   // safe: each task's spec produced the value type its slot holds
    }

    // ---- plumbing

    private <T> TaskResult<T> run(ClinicalNote note, TaskSpec<T> spec, TokenListener listener) {
        ensureOpen();
        if (note == null) {
            throw new InvalidInputException("The clinical note is null");
        }
        Objects.requireNonNull(listener, "listener");
        List<Exchange> exchanges = new ArrayList<>();
        List<TaskSpec.Reply> replies = new ArrayList<>();
        for (String instruction : spec.instructions()) {
            ensureOpen(); // a client closed between two questions of one task stops there
            String prompt = template.format(note.text(), instruction);
            long start = System.nanoTime();
            GenerationResult result = lease.model().generate(prompt, generation, listener);
            Exchange exchange = Exchange.of(instruction, result, Duration.ofNanos(System.nanoTime() - start));
            exchanges.add(exchange);
            replies.add(new TaskSpec.Reply(result.text(), exchange.truncated()));
        }
        T value = spec.parse(new Grounder(note), replies);
        return new TaskResult<>(value, exchanges, spec.grounding(value));
    }

    /** Parses answers generated elsewhere (together with other tasks' questions) into the task's result. */
    private static <T> TaskResult<T> finish(ClinicalNote note, TaskSpec<T> spec, List<String> instructions,
                                            List<GenerationResult> results, Duration wall) {
        List<Exchange> exchanges = new ArrayList<>();
        List<TaskSpec.Reply> replies = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Exchange exchange = Exchange.of(instructions.get(i), results.get(i), wall);
            exchanges.add(exchange);
            replies.add(new TaskSpec.Reply(results.get(i).text(), exchange.truncated()));
        }
        T value = spec.parse(new Grounder(note), replies);
        return new TaskResult<>(value, exchanges, spec.grounding(value));
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new ModelClosedException("This AsclepiusClient is closed");
        }
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("The " + what + " is empty");
        }
        return value.strip();
    }

    /** Releases this client's share of the model (closing it if this was the last owner) and its own executor. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ownedExecutor.ifPresent(ExecutorService::shutdown);
            lease.release();
        }
    }

    /** Settings for a client; a model (folder or loaded instance) is required unless derived via {@link #newBuilder()}. */
    public static final class Builder {
        private AsclepiusClient parent;
        private Path modelDir;
        private String modelRef;
        private String revision;
        private String ggufFile;
        private Boolean offline;
        private HubModels hub;
        private LanguageModel model;
        private boolean closeModel;
        private Device device;
        private ComputeType computeType;
        private OptionalInt threads = OptionalInt.empty();
        private long kvCacheBudget;
        private GenerationConfig generation = GenerationConfig.greedy();
        private PromptTemplate template = PromptTemplate.INFERENCE;
        private Optional<Executor> executor = Optional.empty();

        private Builder() {
        }

        /** Loads the model folder at {@link #build()}; the client owns the model and closes it. */
        public Builder model(Path modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
            this.modelRef = null;
            this.model = null;
            this.parent = null;
            return this;
        }

        /**
         * Loads a model at {@link #build()} from a folder, when {@code folderOrHubId} names an existing one, or
         * else from the Hugging Face hub id it gives ({@code "starmpcc/Asclepius-7B"}): the snapshot in the hub
         * cache, downloaded first if missing (see {@link HubModels}). The client owns the model and closes it.
         */
        public Builder model(String folderOrHubId) {
            this.modelRef = Objects.requireNonNull(folderOrHubId, "folderOrHubId");
            this.modelDir = null;
            this.model = null;
            this.parent = null;
            return this;
        }

        /**
         * A {@code .gguf} file inside the hub repository (or folder) given to {@link #model(String)}, e.g.
         * {@code "asclepius-7b.Q8_0.gguf"}: the model then runs on llama.cpp, which needs
         * {@code dev.asclepius:asclepius-llamacpp} on the class path. A {@code .gguf} path given to
         * {@code model(...)} itself needs no file name.
         */
        public Builder ggufFile(String value) {
            this.ggufFile = Objects.requireNonNull(value, "ggufFile");
            return this;
        }

        /** The hub revision (branch, tag or commit) for a hub id given to {@link #model(String)}; default "main". */
        public Builder revision(String value) {
            this.revision = Objects.requireNonNull(value);
            return this;
        }

        /** Resolve a hub id from the local cache only, never the network; default {@code $HF_HUB_OFFLINE}. */
        public Builder offline(boolean value) {
            this.offline = value;
            return this;
        }

        /** Hub settings (cache folder, endpoint, token, progress) for {@link #model(String)}; default the environment's. */
        public Builder hub(HubModels value) {
            this.hub = Objects.requireNonNull(value);
            return this;
        }

        /** Uses an already loaded model; the client does not close it (see {@link #closeModel(boolean)}). */
        public Builder model(LanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            this.modelDir = null;
            this.parent = null;
            return this;
        }

        /**
         * Uses the model {@code modelName} served by an OpenAI-compatible server at {@code baseUri} (vLLM,
         * {@code asclepius serve}) with {@link RemoteModel}'s defaults (API key from {@code OPENAI_API_KEY});
         * the client owns it. For other settings (API key, timeouts, retries, concurrency) build a
         * {@link RemoteModel} and pass it to {@link #model(LanguageModel)}.
         */
        public Builder remote(URI baseUri, String modelName) {
            return model(RemoteModel.builder(baseUri, modelName).build()).closeModel(true);
        }

        /** Whether closing the client (the last one sharing it) closes a model given with {@link #model(LanguageModel)}. */
        public Builder closeModel(boolean value) {
            this.closeModel = value;
            return this;
        }

        /** Where a model loaded from a folder runs; default the CPU. */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value);
            return this;
        }

        /** Weight type of a model loaded from a folder; default f32 on CPU, f16 on GPU. */
        public Builder computeType(ComputeType value) {
            this.computeType = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Most bytes of KV cache one batch may take, for a model the client loads (see
         * {@link LocalModel.Builder#kvCacheBudget(long)}); batches are sized to fit and oversized ones refused.
         */
        public Builder kvCacheBudget(long bytes) {
            if (bytes <= 0) {
                throw new InvalidInputException("kvCacheBudget must be > 0 bytes, got " + bytes);
            }
            this.kvCacheBudget = bytes;
            return this;
        }

        /** CPU threads for a model loaded from a folder. */
        public Builder threads(int value) {
            if (value <= 0) {
                throw new InvalidInputException("threads must be > 0, got " + value);
            }
            this.threads = OptionalInt.of(value);
            return this;
        }

        /** Generation settings for every task; default greedy with 400 new tokens. */
        public Builder generation(GenerationConfig value) {
            this.generation = Objects.requireNonNull(value);
            return this;
        }

        /** Prompt form; default {@link PromptTemplate#INFERENCE}. */
        public Builder promptTemplate(PromptTemplate value) {
            this.template = Objects.requireNonNull(value);
            return this;
        }

        /** Runs the async forms on {@code value} instead of the client's own daemon threads. */
        public Builder executor(Executor value) {
            this.executor = Optional.of(value);
            return this;
        }

        public AsclepiusClient build() {
            boolean loadOptions = device != null || computeType != null || threads.isPresent() || kvCacheBudget > 0;
            if ((revision != null || offline != null || hub != null) && modelRef == null) {
                throw new InvalidInputException("revision, offline and hub apply only when the client loads the model "
                        + "by folder or hub id (model(String))");
            }
            if (ggufFile != null && modelRef == null && modelDir == null) {
                throw new InvalidInputException("ggufFile names a file of the model given with model(String) or model(Path)");
            }
            Path dir = modelDir;
            String ref = modelRef != null ? modelRef : modelDir != null ? modelDir.toString() : null;
            if (ref != null) {
                HubModels h = hub != null ? hub : HubModels.fromEnvironment();
                if (offline != null && offline != h.offline()) {
                    h = h.toBuilder().offline(offline).build();
                }
                ModelRequest request = new ModelRequest(ref, Optional.ofNullable(ggufFile), Optional.ofNullable(revision),
                        threads, OptionalInt.empty(), OptionalInt.empty(), h);
                if (request.wantsGguf()) {
                    // a .gguf runs on llama.cpp, found on the class path (asclepius-llamacpp) so this module need not depend on it
                    if (device != null || computeType != null || kvCacheBudget > 0) {
                        throw new InvalidInputException("device, computeType and kvCacheBudget apply to the DJL engine, not to a GGUF model");
                    }
                    return new AsclepiusClient(new ModelLease(ModelProviders.openGguf(request), true), generation, template, executor);
                }
                if (modelRef != null) {
                    dir = h.locate(modelRef, revision);
                }
            }
            if (dir != null) {
                LocalModel.Builder b = LocalModel.builder(dir);
                if (device != null) {
                    b.device(device);
                }
                if (computeType != null) {
                    b.computeType(computeType);
                }
                threads.ifPresent(b::threads);
                if (kvCacheBudget > 0) {
                    b.kvCacheBudget(kvCacheBudget);
                }
                return new AsclepiusClient(new ModelLease(b.build(), true), generation, template, executor);
            }
            if (loadOptions) {
                throw new InvalidInputException("device, computeType, threads and kvCacheBudget apply only when the client loads "
                        + "the model from a folder or hub id (model(Path) or model(String))");
            }
            if (model != null) {
                return new AsclepiusClient(new ModelLease(model, closeModel), generation, template, executor);
            }
            if (parent != null) {
                parent.ensureOpen();
                return new AsclepiusClient(parent.lease.acquire(), generation, template, executor);
            }
            throw new InvalidInputException("No model: call model(Path) with a model folder, model(String) with a folder or hub id, or model(LanguageModel)");
        }
    }
}
