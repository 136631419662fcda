package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.ModelSource;
import dev.asclepius.core.hub.DownloadListener;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.hub.HubOfflineException;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model(String)}: an existing folder as is, otherwise a hub id resolved through the hub cache. */
class AsclepiusClientHubIdTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    static Path tmp;
    static Path folder;
    static Path cache;
    static Path snapshot;

    @BeforeAll
    static void writeModels() throws IOException {
        folder = tmp.resolve("plain");
        RandomModelWriter.write(folder, RandomModelSpec.tiny());
        cache = tmp.resolve("hub");
        Path repo = cache.resolve("models--acme--Tiny");
        snapshot = repo.resolve("snapshots").resolve(COMMIT);
        Files.createDirectories(snapshot);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, snapshot.resolve(f.getFileName()));
            }
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
    }

    private static HubModels hub() {
        // no endpoint that answers: anything but a cache hit would fail
        return HubModels.builder().environment(Map.of("HF_HUB_CACHE", cache.toString(), "HF_ENDPOINT", "http://127.0.0.1:9"))
                .listener(DownloadListener.NONE).build();
    }

    @Test
    void anExistingFolderIsUsedAsIs() {
        try (AsclepiusClient client = AsclepiusClient.builder().model(folder.toString()).hub(hub()).build()) {
            assertThat(client.model().info().source()).isEqualTo(new ModelSource.Local(folder.toAbsolutePath()));
        }
    }

    @Test
    void aHubIdLoadsTheCachedSnapshotOfItsRevision() {
        try (AsclepiusClient client = AsclepiusClient.builder().model("acme/Tiny").hub(hub()).build()) {
            assertThat(client.model().info().source()).isEqualTo(new ModelSource.Local(snapshot.toAbsolutePath()));
        }
        try (AsclepiusClient client = AsclepiusClient.builder().model("acme/Tiny").revision(COMMIT).offline(true)
                .hub(hub()).build()) {
            assertThat(client.model().info().source()).isEqualTo(new ModelSource.Local(snapshot.toAbsolutePath()));
        }
    }

    @Test
    void offlineWithoutTheModelSaysWhatIsMissing() {
        assertThatThrownBy(() -> AsclepiusClient.builder().model("acme/Absent").offline(true).hub(hub()).build())
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining("acme/Absent").hasMessageContaining(cache.toString());
        assertThatThrownBy(() -> AsclepiusClient.builder().model(folder).revision("v1").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model(String)");
    }
}
