package dev.asclepius.spark;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.tasks.Task;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;

/**
 * What a job asks of every note, as shipped to the executors (GenerationConfig itself is not
 * serializable, so its settings travel and it is rebuilt there).
 *
 * @param idColumn    empty string when the notes have no id column
 * @param temperature 0 = greedy
 * @param concurrency notes in flight per partition; 0 = the default (1 local, 4 remote)
 */
record Settings(ModelSpec spec, EnumSet<Task> tasks, List<String> questions, String noteColumn, String idColumn,
                int maxNewTokens, float temperature, float topP, int topK, long seed, int concurrency,
                String prefix) implements Serializable {

    GenerationConfig generation() {
        return GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature).topP(topP).topK(topK)
                .build();
    }

    boolean sampling() {
        return temperature > 0f;
    }

    int workers() {
        return concurrency > 0 ? concurrency : spec.isRemote() ? 4 : 1;
    }

    ResultRows rows() {
        return new ResultRows(tasks, !questions.isEmpty(), prefix);
    }

    /**
     * The sampling seed of one note: the job's seed mixed with the note's id (or, without ids, its text),
     * so a re-executed partition draws the same tokens whatever order or executor it runs on.
     * FNV-1a over the UTF-8 bytes, then a SplitMix64 finalizer: the same value on every JVM.
     */
    long seedFor(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = h ^ seed;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
