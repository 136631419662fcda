package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalModel.Builder#loadListener}: what it is told while a model loads, and what a closed model says. */
class LoadListenerTest {
    @TempDir
    Path tmp;

    /** Bytes of the weights a LLaMA of this shape reads, from the shapes alone (not from the checkpoint). */
    private static long expectedBytes(RandomModelSpec s, int bytesPerValue) {
        long h = s.hiddenSize();
        long kv = (long) s.kvHeads() * s.headDim();
        long perLayer = 2 * h + h * h + 2 * kv * h + h * h + 3 * h * s.intermediateSize();
        long heads = s.tieWordEmbeddings() ? 1 : 2;
        return bytesPerValue * (heads * s.vocabSize() * h + s.layers() * perLayer + h);
    }

    private List<LoadProgress> load(RandomModelSpec spec) {
        Path dir = tmp.resolve("m" + spec.layers() + spec.tieWordEmbeddings() + spec.storage());
        RandomModelWriter.write(dir, spec);
        List<LoadProgress> events = new ArrayList<>();
        try (LocalModel model = LocalModel.builder(dir).loadListener(events::add).build()) {
            assertThat(model.info().shape().orElseThrow().layers()).isEqualTo(spec.layers());
        }
        return events;
    }

    @Test
    void reportsEachLayerThenTheWholeCheckpoint() {
        RandomModelSpec spec = new RandomModelSpec("llama", 32000, 32, 64, 3, 4, 2, 64, false, StorageType.F32, 5, 0);
        List<LoadProgress> events = load(spec);

        assertThat(events).hasSize(spec.layers() + 1);   // one per layer, one at the end
        long total = expectedBytes(spec, 4);
        int tensors = 1 + 9 * spec.layers() + 1 + 1;      // embedding, 9 per layer, final norm, lm_head
        for (int i = 0; i < events.size(); i++) {
            LoadProgress p = events.get(i);
            assertThat(p.totalBytes()).isEqualTo(total);
            assertThat(p.totalTensors()).isEqualTo(tensors);
            if (i > 0) {
                assertThat(p.bytesLoaded()).isGreaterThan(events.get(i - 1).bytesLoaded());
                assertThat(p.tensorsLoaded()).isGreaterThan(events.get(i - 1).tensorsLoaded());
            }
        }
        // After the first layer: the embedding (read first, for its shape check) and that layer's 9 tensors.
        assertThat(events.get(0).tensorsLoaded()).isEqualTo(10);
        assertThat(events.get(0).done()).isFalse();
        LoadProgress last = events.get(events.size() - 1);
        assertThat(last.done()).isTrue();
        assertThat(last.bytesLoaded()).isEqualTo(total);
        assertThat(last.tensorsLoaded()).isEqualTo(tensors);
        assertThat(last.eta()).contains(Duration.ZERO);
    }

    @Test
    void tiedHeadIsCountedOnceAndHalfPrecisionHalvesTheBytes() {
        RandomModelSpec spec = new RandomModelSpec("llama", 32000, 32, 64, 2, 4, 4, 64, true, StorageType.F16, 5, 0);
        LoadProgress last = load(spec).get(spec.layers());
        assertThat(last.totalTensors()).isEqualTo(1 + 9 * spec.layers() + 1);
        assertThat(last.totalBytes()).isEqualTo(expectedBytes(spec, 2));
        assertThat(last.done()).isTrue();
    }

    @Test
    void etaExtrapolatesTheRateSoFar() {
        LoadProgress quarter = new LoadProgress(250, 1000, 3, 12, Duration.ofSeconds(10));
        assertThat(quarter.fraction()).isEqualTo(0.25);
        assertThat(quarter.eta()).contains(Duration.ofSeconds(30));
        assertThat(quarter.describe()).contains("25%").contains("3 of 12 tensors").contains("about 30 s left");
        assertThat(new LoadProgress(0, 1000, 0, 12, Duration.ofSeconds(1)).eta()).isEmpty();
        assertThat(new LoadProgress(2_500_000_000L, 13_500_000_000L, 75, 291, Duration.ofSeconds(12)).describe())
                .startsWith("loading weights: 2.5 GB of 13.5 GB (18%), 75 of 291 tensors, 12 s, about 53 s left");
    }

    @Test
    void inconsistentProgressIsRejected() {
        assertThatThrownBy(() -> new LoadProgress(11, 10, 0, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadProgress(1, 10, 2, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedModelsTokenizerSaysTheModelWasClosed() {
        Path dir = tmp.resolve("closed");
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 32, 64, 1, 4, 4, 64, false, StorageType.F32, 5, 0));
        LocalModel model = LocalModel.builder(dir).build();
        TextTokenizer tokenizer = model.tokenizer().orElseThrow();
        model.close();
        assertThatThrownBy(() -> tokenizer.encode("chest pain"))
                .isInstanceOf(ModelClosedException.class)
                .hasMessageContaining("has been closed")
                .hasMessageContaining("load the model again");
    }
}
