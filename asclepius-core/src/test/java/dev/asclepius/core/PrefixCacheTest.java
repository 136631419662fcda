package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefix cache: a prompt that starts like the previous one reuses its keys and values, says so in
 * {@link GenerationResult#cachedPromptTokens()}, and generates exactly what a model without the cache does.
 */
class PrefixCacheTest {
    private static final String NOTE = "Discharge summary. The patient is a 67 year old man admitted with chest pain "
            + "and shortness of breath. Troponin was elevated and he underwent cardiac catheterization with a stent "
            + "to the LAD. He was started on aspirin, clopidogrel, atorvastatin and metoprolol. Echo showed an "
            + "ejection fraction of 45 percent. He is discharged home with cardiology follow-up in two weeks.\n";

    @TempDir
    static Path dir;
    static LocalModel cached;
    static LocalModel plain;

    @BeforeAll
    static void load() {
        // GQA (4 heads / 2 kv heads), as in the batching tests.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 512, false, StorageType.F32, 7, 0));
        cached = LocalModel.load(dir);
        plain = LocalModel.builder(dir).prefixCache(false).build();
    }

    @AfterAll
    static void close() {
        cached.close();
        plain.close();
    }

    @BeforeEach
    void forgetEarlierPrompts() {
        // Start each test from an empty cache: a prompt that shares nothing replaces the entry.
        cached.generate(cached.tokenizer().orElseThrow().encode("Unrelated warm-up text about something else entirely, "
                + "long enough to be kept in the cache: " + "x ".repeat(80)), greedy(1));
    }

    private static GenerationConfig greedy(int tokens) {
        return GenerationConfig.builder().maxNewTokens(tokens).ignoreEos(true).build();
    }

    private static int[] prompt(String question) {
        return cached.tokenizer().orElseThrow().encode(NOTE + "Question: " + question);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < Math.min(a.length, b.length) && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    @Test
    void aSecondQuestionAboutTheSameNoteReusesTheNoteAndGeneratesTheSame() {
        int[] first = prompt("What medications was he started on?");
        int[] second = prompt("When is the follow-up?");
        int shared = commonPrefix(first, second);
        assertThat(shared).isGreaterThan(64);

        GenerationResult one = cached.generate(first, greedy(12));
        GenerationResult two = cached.generate(second, greedy(12));

        assertThat(one.cachedPromptTokens()).isZero();
        assertThat(two.cachedPromptTokens()).isEqualTo(shared);
        assertThat(two.promptTokens()).isEqualTo(second.length);
        assertThat(two.tokenIds()).isEqualTo(plain.generate(second, greedy(12)).tokenIds());
        assertThat(one.tokenIds()).isEqualTo(plain.generate(first, greedy(12)).tokenIds());
    }

    @Test
    void theSamePromptAgainReusesAllButItsLastToken() {
        int[] p = prompt("Summarize the hospital course.");
        GenerationResult first = cached.generate(p, greedy(8));
        GenerationResult again = cached.generate(p, greedy(8));
        // The last prompt token always runs: its logits choose the first new token.
        assertThat(again.cachedPromptTokens()).isEqualTo(p.length - 1);
        assertThat(again.tokenIds()).isEqualTo(first.tokenIds());
    }

    @Test
    void aBatchAfterABatchOnTheSameNoteReusesTheSharedPrefix() {
        List<int[]> firstBatch = List.of(prompt("List the medications."), prompt("What was the ejection fraction?"));
        List<int[]> secondBatch = List.of(prompt("Why was he admitted?"), prompt("Which artery was stented?"),
                prompt("What procedure did he have?"));
        cached.generateBatch(firstBatch, greedy(6));
        List<GenerationResult> second = cached.generateBatch(secondBatch, greedy(6));
        List<GenerationResult> reference = plain.generateBatch(secondBatch, greedy(6));

        int note = commonPrefix(firstBatch.get(0), secondBatch.get(0));
        for (int i = 0; i < second.size(); i++) {
            assertThat(second.get(i).cachedPromptTokens()).isGreaterThanOrEqualTo(Math.min(note,
                    commonPrefix(secondBatch.get(0), secondBatch.get(i)))).isPositive();
            assertThat(second.get(i).tokenIds()).isEqualTo(reference.get(i).tokenIds());
            assertThat(reference.get(i).cachedPromptTokens()).isZero();
        }
    }

    @Test
    void withTheCacheOffNothingIsKeptOrReused() {
        int[] p = prompt("What medications was he started on?");
        plain.generate(p, greedy(4));
        assertThat(plain.generate(p, greedy(4)).cachedPromptTokens()).isZero();
        assertThat(plain.stats().cachedPrefixTokens()).isZero();
        assertThat(cached.stats().cachedPrefixTokens()).isPositive();
    }

    @Test
    void theCacheCanBeTurnedOffAndOnAgainOnALiveModel() throws InterruptedException {
        int[] p = prompt("What was the ejection fraction?");
        GenerationResult reference = plain.generate(p, greedy(4));
        try {
            cached.prefixCache(false);
            cached.generate(p, greedy(4));
            GenerationResult off = cached.generate(p, greedy(4));
            assertThat(off.cachedPromptTokens()).as("nothing reused while off").isZero();
            assertThat(off.tokenIds()).isEqualTo(reference.tokenIds());
            // Off frees the kept entry once the generation thread is idle (it polls every few ms).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (cached.stats().cachedPrefixTokens() > 0 && System.nanoTime() < deadline) {
                cached.awaitIdle(java.time.Duration.ofMillis(50));
                Thread.sleep(5);
            }
            assertThat(cached.stats().cachedPrefixTokens()).as("entry freed").isZero();
        } finally {
            cached.prefixCache(true);
        }
        cached.generate(p, greedy(4));
        GenerationResult on = cached.generate(p, greedy(4));
        assertThat(on.cachedPromptTokens()).as("reused again once back on").isPositive();
        assertThat(on.tokenIds()).isEqualTo(reference.tokenIds());
        assertThat(cached.stats().cachedPrefixTokens()).isPositive();
    }

    @Test
    void turningTheCacheOffFreesItsEntry() {
        try (LocalModel own = LocalModel.load(dir)) {
            own.generate(prompt("What medications was he started on?"), greedy(2));
            var scheduler = own.scheduler();
            assertThat(scheduler.cachedPrefixTokens()).isPositive();
            scheduler.prefixCaching(false);
            assertThat(scheduler.cachedPrefixTokens()).isZero();
        }
    }

    @Test
    void aPromptThatSharesNothingRunsInFull() {
        cached.generate(prompt("What medications was he started on?"), greedy(4));
        int[] other = cached.tokenizer().orElseThrow().encode("Completely different text " + "y ".repeat(70));
        GenerationResult result = cached.generate(other, greedy(6));
        assertThat(result.cachedPromptTokens()).isZero();   // only BOS matches: too little to copy
        assertThat(result.tokenIds()).isEqualTo(plain.generate(other, greedy(6)).tokenIds());
    }

    @Test
    void cacheScopesNeverShareTheSameScopeDoes() {
        int[] p = prompt("What was the ejection fraction?");
        GenerationConfig a = greedy(4).toBuilder().cacheScope("key-a").build();
        GenerationConfig b = greedy(4).toBuilder().cacheScope("key-b").build();
        GenerationResult first = cached.generate(p, a);
        GenerationResult otherScope = cached.generate(p, b);
        // Scope b guessed scope a's whole prompt, yet learns nothing: no reuse, the same tokens as uncached.
        assertThat(otherScope.cachedPromptTokens()).isZero();
        assertThat(otherScope.tokenIds()).isEqualTo(first.tokenIds());
        GenerationResult sameScope = cached.generate(p, b);
        assertThat(sameScope.cachedPromptTokens()).isEqualTo(p.length - 1);
        assertThat(cached.generate(p, greedy(4)).cachedPromptTokens()).as("the shared scope is a scope of its own")
                .isZero();
        // A batch of one scope reuses its own shared prefix, never another scope's.
        List<int[]> questions = List.of(prompt("List the medications."), prompt("Why was he admitted?"));
        cached.generateBatch(questions, a);
        assertThat(cached.generateBatch(questions, b)).allSatisfy(r -> assertThat(r.cachedPromptTokens()).isZero());
        assertThat(cached.generateBatch(questions, b)).allSatisfy(r -> assertThat(r.cachedPromptTokens()).isPositive());
    }
}
