package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() racing with running generations, many times: every generation either finishes or fails with
 * {@link ModelClosedException}. Before every native call of the engine ran under its lock, this failed with
 * DJL's "NDManager has been closed already" (KvCache.newCache and keepRows ran outside it) and once crashed
 * the JVM (SIGSEGV in KvCache.keepRows).
 */
class LocalModelCloseRaceTest {
    private static final RandomModelSpec SPEC =
            new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 96, false, StorageType.F32, 7, 0);
    /** Rounds of load, generate from several threads, close at a random moment. */
    private static final int ROUNDS = Integer.getInteger("asclepius.closeRace.rounds", 40);

    @TempDir
    Path dir;

    @Test
    void closeDuringGenerationsOnlyEverGivesModelClosedException() throws Exception {
        RandomModelWriter.write(dir, SPEC);
        Random random = new Random(11);
        List<String> unexpected = new ArrayList<>();
        int closedCalls = 0;
        int finishedCalls = 0;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < ROUNDS && unexpected.size() < 5; round++) {
                LocalModel model = LocalModel.builder(dir).threads(1).build();
                int[] base = model.tokenizer().orElseThrow().encode("Pt c/o SOB. Hx HTN, DM2. Rx lisinopril 10 mg daily.");
                CountDownLatch firstToken = new CountDownLatch(1);
                List<Future<?>> calls = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    // Different prompt and answer lengths: rows finish at different steps (keepRows) and
                    // late callers join a running batch or start a new one (newCache).
                    int[] prompt = java.util.Arrays.copyOf(base, base.length - i);
                    int tokens = 2 + random.nextInt(12);
                    calls.add(pool.submit(() -> model.generate(prompt,
                            GenerationConfig.builder().maxNewTokens(tokens).ignoreEos(true).build(),
                            (delta, id) -> firstToken.countDown())));
                }
                // A batch whose prompts share a prefix: the batched prefill and the prefix cache.
                int tokens = 2 + random.nextInt(12);
                calls.add(pool.submit(() -> model.generateBatch(List.of(base, java.util.Arrays.copyOf(base, base.length - 2),
                        java.util.Arrays.copyOf(base, base.length - 4)),
                        GenerationConfig.builder().maxNewTokens(tokens).ignoreEos(true).build())));
                firstToken.await(30, TimeUnit.SECONDS);
                Thread.sleep(random.nextInt(12));
                model.close();
                for (Future<?> call : calls) {
                    try {
                        call.get(60, TimeUnit.SECONDS);
                        finishedCalls++;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof ModelClosedException) {
                            closedCalls++;
                        } else {
                            unexpected.add("round " + round + ": " + e.getCause());
                        }
                    }
                }
                assertThatThrownBy(() -> model.generate(base, GenerationConfig.builder().maxNewTokens(1).build()))
                        .isInstanceOf(ModelClosedException.class);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(unexpected).as("errors other than ModelClosedException (%d finished, %d closed)",
                finishedCalls, closedCalls).isEmpty();
        // The race must really have been run: some calls were cut by close().
        assertThat(closedCalls).isPositive();
    }
}
