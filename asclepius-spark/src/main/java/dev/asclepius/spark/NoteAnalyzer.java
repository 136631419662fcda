package dev.asclepius.spark;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.CorpusRun;
import dev.asclepius.tasks.NoteInput;
import dev.asclepius.tasks.NoteResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The partition-level function behind {@link SparkTasks#transform}, for callers who want the typed
 * records rather than columns: call {@link #analyze(Iterator)} inside your own {@code mapPartitions}.
 *
 * <pre>{@code
 * NoteAnalyzer analyzer = Asclepius.forSpark(spec).tasks(Task.ENTITIES).analyzer();
 * Dataset<String> meds = notes.mapPartitions((MapPartitionsFunction<Row, String>) rows -> {
 *     List<NoteInput> in = new ArrayList<>();
 *     rows.forEachRemaining(r -> in.add(NoteInput.of(r.getString(0), r.getString(1))));
 *     List<String> out = new ArrayList<>();
 *     analyzer.analyze(in.iterator()).forEachRemaining(result -> {
 *         if (result instanceof NoteResult.Success s) {
 *             s.analysis().entities().orElseThrow().value().forEach(e -> out.add(s.id() + "\t" + e.text()));
 *         }
 *     });
 *     return out.iterator();
 * }, Encoders.STRING());
 * }</pre>
 *
 * <p>(Collecting a partition's inputs first keeps the example short; {@link #analyze(Iterator)} itself
 * is lazy and takes any iterator.)
 *
 * <p>Serializable (Spark ships it to the executors). On an executor it uses that JVM's one model for the
 * spec, and analyses notes lazily, a few at a time, in input order: a partition is never held in memory.
 * A note that fails (empty, too long for the context, a model error) is a {@link NoteResult.Failure};
 * only a closed model or a broken iterator fails the Spark task.
 */
public final class NoteAnalyzer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Settings settings;

    NoteAnalyzer(Settings settings) {
        this.settings = settings;
    }

    /** Each note's result, in input order; {@link NoteResult#index()} counts from 0 in this iterator. */
    public Iterator<NoteResult> analyze(Iterator<NoteInput> notes) {
        Objects.requireNonNull(notes, "notes");
        Iterator<Paired<NoteInput>> paired = run(notes, n -> n);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return paired.hasNext();
            }

            @Override
            public NoteResult next() {
                return paired.next().result();
            }
        };
    }

    /** One note, analysed now (the UDF's path: a client of its own, closed at once, no task listener). */
    NoteResult analyzeOne(NoteInput note) {
        AsclepiusClient shared = ExecutorModels.client(settings.spec());
        GenerationConfig generation = settings.generation();
        if (settings.sampling()) {
            return reindex(sampled(shared, generation, List.of(note)).get(0), 0);
        }
        try (AsclepiusClient client = shared.newBuilder().generation(generation).build()) {
            return greedy(client, List.of(note)).get(0);
        }
    }

    /** An input item and its note's result. */
    record Paired<T>(T item, NoteResult result) {
    }

    /**
     * Runs the notes of {@code items} in chunks through {@link CorpusRun} (greedy: the run's workers
     * overlap notes; a local model batches each note's questions) or, when sampling, one by one with the
     * note's own seed.
     */
    <T> Iterator<Paired<T>> run(Iterator<T> items, Function<T, NoteInput> toNote) {
        AsclepiusClient shared = ExecutorModels.client(settings.spec());
        GenerationConfig generation = settings.generation();
        AsclepiusClient client = shared.newBuilder().generation(generation).build();
        TaskContext task = TaskContext.get();
        if (task != null) {
            // a partition abandoned half way (task killed, limit reached) still releases its share of the model
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> client.close());
        }
        int chunkSize = Math.max(8, 4 * settings.workers());
        return new Iterator<>() {
            private final List<Paired<T>> buffer = new ArrayList<>();
            private int position;
            private long index;

            @Override
            public boolean hasNext() {
                if (position < buffer.size()) {
                    return true;
                }
                buffer.clear();
                position = 0;
                if (!items.hasNext()) {
                    client.close();
                    return false;
                }
                List<T> chunk = new ArrayList<>();
                List<NoteInput> notes = new ArrayList<>();
                while (chunk.size() < chunkSize && items.hasNext()) {
                    T item = items.next();
                    chunk.add(item);
                    notes.add(toNote.apply(item));
                }
                List<NoteResult> results = settings.sampling() ? sampled(shared, generation, notes) : greedy(client, notes);
                for (int i = 0; i < chunk.size(); i++) {
                    buffer.add(new Paired<>(chunk.get(i), reindex(results.get(i), index++)));
                }
                return true;
            }

            @Override
            public Paired<T> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.get(position++);
            }
        };
    }

    private List<NoteResult> greedy(AsclepiusClient client, List<NoteInput> notes) {
        List<NoteResult> out = new ArrayList<>(notes.size());
        corpusRun(client, settings.workers()).run(notes, out::add);
        return out;
    }

    private List<NoteResult> sampled(AsclepiusClient shared, GenerationConfig generation, List<NoteInput> notes) {
        List<NoteResult> out = new ArrayList<>(notes.size());
        for (NoteInput note : notes) {
            // the note's id when it has one (the id column, the caller's NoteInput ids), else its text
            String key = note.id().isEmpty() ? String.valueOf(note.text()) : note.id();
            try (AsclepiusClient seeded = shared.newBuilder()
                    .generation(generation.toBuilder().seed(settings.seedFor(key)).build()).build()) {
                corpusRun(seeded, 1).run(List.of(note), out::add);
            }
        }
        return out;
    }

    private CorpusRun corpusRun(AsclepiusClient client, int workers) {
        return CorpusRun.builder(client).tasks(settings.tasks()).questions(settings.questions()).workers(workers).build();
    }

    private static NoteResult reindex(NoteResult r, long index) {
        if (r instanceof NoteResult.Success s) {
            return new NoteResult.Success(s.id(), index, s.analysis(), s.elapsed());
        }
        NoteResult.Failure f = (NoteResult.Failure) r;
        return new NoteResult.Failure(f.id(), index, f.error(), f.elapsed());
    }
}
