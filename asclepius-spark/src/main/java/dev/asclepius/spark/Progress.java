package dev.asclepius.spark;

import dev.asclepius.tasks.NoteResult;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The job's counters, as named Spark accumulators: they show on the stage pages of the Spark UI while
 * the job runs. Counted in a transformation, so a re-executed task counts its notes again (Spark only
 * de-duplicates accumulator updates made in actions).
 */
final class Progress implements Serializable {
    private static final long serialVersionUID = 1L;

    final LongAccumulator done;
    final LongAccumulator failed;
    final LongAccumulator promptTokens;
    final LongAccumulator generatedTokens;

    private Progress(SparkContext sc, String name) {
        this.done = sc.longAccumulator(name + " notes done");
        this.failed = sc.longAccumulator(name + " notes failed");
        this.promptTokens = sc.longAccumulator(name + " prompt tokens");
        this.generatedTokens = sc.longAccumulator(name + " generated tokens");
    }

    static Progress register(SparkContext sc, String name) {
        return new Progress(sc, name);
    }

    void add(NoteResult result) {
        done.add(1);
        if (result instanceof NoteResult.Failure) {
            failed.add(1);
        }
        promptTokens.add(result.promptTokens());
        generatedTokens.add(result.generatedTokens());
    }
}
