package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.ModelClosedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs chosen tasks over a corpus of notes: each note goes through
 * {@link AsclepiusClient#analyze(ClinicalNote, Set, List)} (all its questions generated together), and its
 * {@link NoteResult} is handed to a sink as soon as it and every note before it are done, so results
 * arrive in input order and the corpus is never held in memory (at most {@code 2 × workers} notes are in
 * flight). A note that fails (empty text, too long for the context, a model error) becomes a
 * {@link NoteResult.Failure} and the run goes on; only a closed client
 * ({@link ModelClosedException}), an exception from the input iterator, the sink or the listener, or an
 * interrupt stops it.
 *
 * <pre>{@code
 * CorpusRun run = CorpusRun.builder(client)
 *         .tasks(EnumSet.of(Task.ENTITIES, Task.TIMELINE))
 *         .listener((result, p) -> System.err.printf("%d/%s%n", p.done(), p.total()))
 *         .build();
 * CorpusProgress summary = run.run(notes.stream(), result -> writeLine(result));
 * }</pre>
 *
 * <p>Reusable and thread-safe: each {@code run} call is independent.
 */
public final class CorpusRun {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final AsclepiusClient client;
    private final Set<Task> tasks;
    private final List<String> questions;
    private final int workers;
    private final CorpusListener listener;

    private CorpusRun(Builder b) {
        this.client = b.client;
        this.tasks = Set.copyOf(b.tasks);
        this.questions = List.copyOf(b.questions);
        this.workers = b.workers;
        this.listener = b.listener;
    }

    public static Builder builder(AsclepiusClient client) {
        return new Builder(Objects.requireNonNull(client, "client"));
    }

    public Set<Task> tasks() {
        return tasks;
    }

    public List<String> questions() {
        return questions;
    }

    public int workers() {
        return workers;
    }

    /** Runs over {@code notes} (total known: progress has an ETA). */
    public CorpusProgress run(Collection<NoteInput> notes, Consumer<? super NoteResult> sink) {
        return run(notes.iterator(), OptionalLong.of(notes.size()), sink);
    }

    /** Runs over a stream of notes, read lazily (total unknown). */
    public CorpusProgress run(Stream<NoteInput> notes, Consumer<? super NoteResult> sink) {
        return run(notes.iterator(), OptionalLong.empty(), sink);
    }

    /**
     * Runs over {@code notes}, read lazily on the calling thread; {@code sink} and the listener are called
     * on the calling thread too, once per note, in input order.
     *
     * @param total how many notes the iterator will give, when known (for progress and ETA)
     * @return the final counts and rates
     */
    public CorpusProgress run(Iterator<NoteInput> notes, OptionalLong total, Consumer<? super NoteResult> sink) {
        Objects.requireNonNull(notes, "notes");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(sink, "sink");
        Tally tally = new Tally(total);
        if (workers == 1) {
            long index = 0;
            while (notes.hasNext()) {
                checkInterrupt();
                NoteResult result = analyze(notes.next(), index++);
                deliver(result, tally, sink);
            }
            return tally.progress();
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "asclepius-corpus-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<NoteResult>> inFlight = new ArrayDeque<>();
        int window = 2 * workers;
        try {
            long index = 0;
            while (true) {
                while (inFlight.size() < window && notes.hasNext()) {
                    NoteInput input = notes.next();
                    long i = index++;
                    inFlight.add(pool.submit(() -> analyze(input, i)));
                }
                if (inFlight.isEmpty()) {
                    return tally.progress();
                }
                deliver(await(inFlight.poll()), tally, sink);   // the oldest first: ordered hand-off
            }
        } finally {
            inFlight.forEach(f -> f.cancel(true));
            pool.shutdownNow();
        }
    }

    private NoteResult analyze(NoteInput input, long index) {
        long start = System.nanoTime();
        try {
            Analysis analysis = client.analyze(new ClinicalNote(input.text()), tasks, questions);
            return new NoteResult.Success(input.id(), index, analysis, since(start));
        } catch (ModelClosedException e) {
            throw e;   // every later note would fail the same way: stop the run
        } catch (RuntimeException e) {
            return new NoteResult.Failure(input.id(), index, e, since(start));
        }
    }

    private void deliver(NoteResult result, Tally tally, Consumer<? super NoteResult> sink) {
        sink.accept(result);
        tally.add(result);
        listener.noteDone(result, tally.progress());
    }

    private static NoteResult await(Future<NoteResult> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("corpus run interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void checkInterrupt() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("corpus run interrupted");
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Counts of one run (touched only by the calling thread). */
    private static final class Tally {
        private final OptionalLong total;
        private final long start = System.nanoTime();
        private long ok;
        private long errors;
        private long generated;
        private long prompt;

        Tally(OptionalLong total) {
            this.total = total;
        }

        void add(NoteResult result) {
            if (result instanceof NoteResult.Success) {
                ok++;
            } else {
                errors++;
            }
            generated += result.generatedTokens();
            prompt += result.promptTokens();
        }

        CorpusProgress progress() {
            return new CorpusProgress(ok + errors, total, ok, errors, generated, prompt, since(start));
        }
    }

    public static final class Builder {
        private final AsclepiusClient client;
        private Set<Task> tasks = EnumSet.noneOf(Task.class);
        private List<String> questions = List.of();
        private int workers = 1;
        private CorpusListener listener = CorpusListener.NONE;

        private Builder(AsclepiusClient client) {
            this.client = client;
        }

        /** The tasks to run on every note (question answering also needs {@link #questions}). */
        public Builder tasks(Set<Task> value) {
            this.tasks = EnumSet.noneOf(Task.class);
            this.tasks.addAll(Objects.requireNonNull(value, "tasks"));
            return this;
        }

        /** Free questions asked of every note (answered whether or not the tasks name question answering). */
        public Builder questions(List<String> value) {
            this.questions = List.copyOf(Objects.requireNonNull(value, "questions"));
            return this;
        }

        /**
         * Notes analysed at once (default 1). A local model serves one generation at a time, so more
         * workers mostly overlap parsing and grounding with generation; a remote server gains more.
         */
        public Builder workers(int value) {
            if (value < 1) {
                throw new InvalidInputException("workers must be >= 1, got " + value);
            }
            this.workers = value;
            return this;
        }

        public Builder listener(CorpusListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * @throws InvalidInputException if nothing is asked, question answering has no question, or a
         *                               question is blank
         */
        public CorpusRun build() {
            if (tasks.isEmpty() && questions.isEmpty()) {
                throw new InvalidInputException("A corpus run needs at least one task or question");
            }
            if (tasks.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
                throw new InvalidInputException("Question answering needs at least one question: pass questions(...)");
            }
            for (String q : questions) {
                if (q == null || q.isBlank()) {
                    throw new InvalidInputException("A question of the corpus run is empty");
                }
            }
            return new CorpusRun(this);
        }
    }
}
