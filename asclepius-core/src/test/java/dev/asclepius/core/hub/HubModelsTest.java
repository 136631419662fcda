package dev.asclepius.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.hub.HubCache;
import dev.asclepius.core.internal.hub.HubDownloader;
import dev.asclepius.core.internal.hub.ProgressBar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubModelsTest {
    private static final String ID = "acme/Tiny-Clinical";
    private static final String C1 = "1111111111111111111111111111111111111111";
    private static final String C2 = "2222222222222222222222222222222222222222";
    private static final String WEIGHTS = "model.safetensors";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private Path cache;
    private byte[] weights;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        cache = tmp.resolve("hf-cache");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    /** A small synthetic repo (the resolver does not parse weights): config, tokenizer, 300 kB of "weights". */
    private Path syntheticRepo(String name, String configText) throws IOException {
        Path dir = tmp.resolve("src-" + name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configText);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        Files.writeString(dir.resolve("README.md"), "not fetched");
        weights = new byte[300_000];
        new Random(name.hashCode()).nextBytes(weights);
        Files.write(dir.resolve(WEIGHTS), weights);
        return dir;
    }

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("HF_HUB_CACHE", cache.toString());
        m.put("HF_ENDPOINT", hub.endpoint());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private HubModels.Builder models(String... kv) {
        return HubModels.builder().environment(env(kv)).listener(DownloadListener.NONE);
    }

    private Path repoDir() {
        return cache.resolve("models--acme--Tiny-Clinical");
    }

    private List<String> blobNames() throws IOException {
        Path blobs = repoDir().resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(blobs)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadsAShardedModelIntoThePythonLayoutThenLoadsAndGenerates() throws IOException {
        Path src = tmp.resolve("src");
        RandomModelWriter.write(src, RandomModelSpec.tiny().withShards(4_000_000));
        hub.publish(ID, C1, src, "main");
        List<String> events = new CopyOnWriteArrayList<>();
        Path snap = models().listener(new DownloadListener() {
            @Override
            public void finished(String file, long totalBytes) {
                events.add(file);
            }
        }).build().resolve(ID);

        assertThat(snap).isEqualTo(repoDir().resolve("snapshots").resolve(C1));
        assertThat(Files.readString(repoDir().resolve("refs/main"))).isEqualTo(C1);
        assertThat(events).contains("config.json", "tokenizer.json", "model.safetensors.index.json");
        assertThat(events.stream().filter(f -> f.endsWith(".safetensors")).count()).isGreaterThan(1);
        Path shard = snap.resolve(events.stream().filter(f -> f.endsWith(".safetensors")).findFirst().orElseThrow());
        assertThat(Files.isSymbolicLink(shard)).isTrue();
        String sha = FakeHub.sha256(Files.readAllBytes(src.resolve(shard.getFileName())));
        assertThat(Files.readSymbolicLink(shard).toString()).isEqualTo("../../blobs/" + sha);
        Path config = snap.resolve("config.json");
        assertThat(Files.readSymbolicLink(config).toString())
                .isEqualTo("../../blobs/" + FakeHub.gitSha1(Files.readAllBytes(src.resolve("config.json"))));
        assertThat(blobNames()).noneMatch(n -> n.endsWith(".incomplete"));

        try (LocalModel model = LocalModel.builder(snap).build()) {
            GenerationResult r = model.generate("Hello", GenerationConfig.greedy().toBuilder().maxNewTokens(3).build());
            assertThat(r.tokenIds()).isNotEmpty();
        }

        int before = hub.requests.size();
        assertThat(models().build().resolve(ID)).isEqualTo(snap);
        assertThat(hub.requests.size()).as("second start from the cache").isEqualTo(before);
    }

    @Test
    void aCacheFilledByPythonStartsWithZeroRequests() throws IOException {
        // what huggingface-cli download leaves: blobs, relative symlinks, refs/main
        Path repo = repoDir();
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Path snap = repo.resolve("snapshots").resolve(C2);
        Files.createDirectories(snap);
        Files.writeString(repo.resolve("refs/main"), C2);
        for (String f : List.of("config.json", "tokenizer.json", WEIGHTS)) {
            Files.writeString(repo.resolve("blobs/etag-" + f), f);
            Files.createSymbolicLink(snap.resolve(f), Path.of("../../blobs/etag-" + f));
        }
        assertThat(models().build().resolve(ID)).isEqualTo(snap);
        assertThat(models().build().resolve(ID, C2)).isEqualTo(snap);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void revisionsArePinnedAndACommitResolvesOfflineFromTheCache() throws IOException {
        hub.publish(ID, C1, syntheticRepo("v1", "{\"v\":1}"), "v1.0");
        hub.publish(ID, C2, syntheticRepo("v2", "{\"v\":2}"), "main");
        HubModels online = models().build();

        Path old = online.resolve(ID, "v1.0");
        Path latest = online.resolve(ID);
        assertThat(old.getFileName().toString()).isEqualTo(C1);
        assertThat(latest.getFileName().toString()).isEqualTo(C2);
        assertThat(Files.readString(old.resolve("config.json"))).isEqualTo("{\"v\":1}");
        assertThat(Files.readString(latest.resolve("config.json"))).isEqualTo("{\"v\":2}");
        assertThat(Files.readString(repoDir().resolve("refs/v1.0"))).isEqualTo(C1);
        assertThat(latest.resolve("README.md")).doesNotExist();
        assertThat(repoDir().resolve(".no_exist").resolve(C2).resolve("special_tokens_map.json")).exists();

        int before = hub.requests.size();
        HubModels offline = models("HF_HUB_OFFLINE", "1").build();
        assertThat(offline.resolve(ID, C1)).isEqualTo(old);
        assertThat(offline.resolve(ID, "v1.0")).isEqualTo(old);
        assertThat(hub.requests.size()).isEqualTo(before);
    }

    @Test
    void offlineWithMissingFilesNamesThemAndTheCacheAndSendsNothing() throws IOException {
        hub.publish(ID, C1, syntheticRepo("a", "{}"), "main");
        assertThatThrownBy(() -> models("HF_HUB_OFFLINE", "1").build().resolve(ID))
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining(ID).hasMessageContaining(cache.toString()).hasMessageContaining("refs/main");

        // a snapshot that lacks its weights, offline by the builder option
        Path snap = repoDir().resolve("snapshots").resolve(C1);
        Files.createDirectories(snap);
        Files.writeString(snap.resolve("config.json"), "{}");
        Files.writeString(snap.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> models().offline(true).build().resolve(ID, C1))
                .isInstanceOf(HubOfflineException.class)
                .hasMessageContaining("lacks weights").hasMessageContaining(snap.toString());
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void gatedModelsNeedAToken() throws IOException {
        hub.publish(ID, C1, syntheticRepo("g", "{}"), "main");
        hub.requiredToken = "hf_secret";
        assertThatThrownBy(() -> models().build().resolve(ID))
                .isInstanceOf(HubAccessException.class)
                .hasMessageContaining("401").hasMessageContaining("Accept its license")
                .hasMessageContaining(hub.endpoint() + "/" + ID).hasMessageContaining("HF_TOKEN");
        assertThatThrownBy(() -> models("HF_TOKEN", "hf_wrong").build().resolve(ID))
                .isInstanceOf(HubAccessException.class)
                .hasMessageContaining("403").hasMessageContaining("token that was sent was refused");

        hub.requests.clear();
        Path snap = models("HF_TOKEN", "hf_secret").build().resolve(ID);
        assertThat(snap.resolve(WEIGHTS)).hasBinaryContent(weights);
        assertThat(hub.requests).filteredOn(r -> r.path().startsWith("/api/") || r.path().contains("/resolve/"))
                .filteredOn(r -> r.authorization() != null).isNotEmpty()
                .allMatch(r -> r.authorization().equals("Bearer hf_secret"));
        // the builder's token wins over the environment
        assertThat(models("HF_TOKEN", "hf_wrong").token("hf_secret").cacheDir(tmp.resolve("other")).build()
                .resolve(ID)).exists();
    }

    @Test
    void unknownIdOrRevisionIsNotFoundAndNamesBoth() throws IOException {
        hub.publish(ID, C1, syntheticRepo("n", "{}"), "main");
        assertThatThrownBy(() -> models().build().resolve("acme/No-Such-Model"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining("acme/No-Such-Model").hasMessageContaining("\"main\"").hasMessageContaining("404");
        assertThatThrownBy(() -> models().build().resolve(ID, "v9"))
                .isInstanceOf(HubNotFoundException.class)
                .hasMessageContaining(ID).hasMessageContaining("\"v9\"");
        assertThat(repoDir().resolve("refs/v9")).doesNotExist();
    }

    /** N of a {@code bytes=N-} Range header. */
    private static long resumeOffset(String range) {
        assertThat(range).matches("bytes=\\d+-");
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequestAndIsVerified() throws IOException {
        hub.publish(ID, C1, syntheticRepo("r", "{}"), "main");
        hub.dropsLeft.put(WEIGHTS, new AtomicInteger(1));
        Path snap = models().build().resolve(ID);

        assertThat(snap.resolve(WEIGHTS)).hasBinaryContent(weights);
        List<FakeHub.Request> cdn = hub.requests.stream().filter(r -> r.path().startsWith("/cdn/")).toList();
        assertThat(cdn).hasSize(2);
        assertThat(cdn.get(0).range()).isNull();
        // The hub sends half and drops the connection; bytes in flight when it resets may never arrive, so the
        // client resumes from what it received: at most half, never past it.
        assertThat(resumeOffset(cdn.get(1).range())).isBetween(1L, (long) weights.length / 2);
        assertThat(blobNames()).contains(FakeHub.sha256(weights)).noneMatch(n -> n.endsWith(".incomplete"));
    }

    @Test
    void anOverloadedHubIsRetriedHonouringRetryAfterThenReported() throws IOException {
        hub.publish(ID, C1, syntheticRepo("b", "{}"), "main");
        hub.busyLeft.put("/api/models/", new AtomicInteger(2));
        hub.busyLeft.put("/cdn/", new AtomicInteger(1));
        Path snap = models().maxAttempts(3).build().resolve(ID);
        assertThat(snap.resolve(WEIGHTS)).hasBinaryContent(weights);
        assertThat(hub.requests.stream().filter(r -> r.path().startsWith("/api/models/"))).hasSize(3);
        assertThat(hub.requests.stream().filter(r -> r.path().startsWith("/cdn/"))).hasSize(2);

        hub.busyLeft.put("/api/models/", new AtomicInteger(5));
        assertThatThrownBy(() -> models().maxAttempts(2).build().resolve(ID + "-other"))
                .isInstanceOf(HubException.class).hasMessageContaining("HTTP 503").hasMessageContaining("2 attempt(s)");
    }

    @Test
    void aKilledDownloadLeavesOnlyAnIncompleteBlobAndTheNextRunResumesIt() throws IOException {
        hub.publish(ID, C1, syntheticRepo("k", "{}"), "main");
        hub.dropsLeft.put(WEIGHTS, new AtomicInteger(1));
        String sha = FakeHub.sha256(weights);
        assertThatThrownBy(() -> models().maxAttempts(1).build().resolve(ID))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("interrupted").hasMessageContaining(sha + ".incomplete");

        Path snap = repoDir().resolve("snapshots").resolve(C1);
        assertThat(snap.resolve(WEIGHTS)).doesNotExist();
        assertThat(Files.isSymbolicLink(snap.resolve(WEIGHTS))).isFalse();
        assertThat(blobNames()).contains(sha + ".incomplete").doesNotContain(sha);
        long kept = Files.size(repoDir().resolve("blobs").resolve(sha + ".incomplete"));
        assertThat(kept).as("what arrived before the drop (bytes in flight at the reset may be lost)")
                .isBetween(1L, (long) weights.length / 2);
        assertThatThrownBy(() -> models("HF_HUB_OFFLINE", "1").build().resolve(ID))
                .isInstanceOf(HubOfflineException.class).hasMessageContaining(WEIGHTS);

        hub.requests.clear();
        List<Long> resumedFrom = new CopyOnWriteArrayList<>();
        DownloadListener listener = new DownloadListener() {
            @Override
            public void started(String file, long totalBytes, long resumed) {
                resumedFrom.add(resumed);
            }
        };
        assertThat(models().listener(listener).build().resolve(ID).resolve(WEIGHTS)).hasBinaryContent(weights);
        assertThat(resumedFrom).containsExactly(kept);
        assertThat(hub.requests).filteredOn(r -> r.path().startsWith("/cdn/"))
                .singleElement().extracting(FakeHub.Request::range).isEqualTo("bytes=" + kept + "-");
        assertThat(hub.count("GET", "/resolve/" + C1 + "/config.json")).as("done files are not fetched again").isZero();
        assertThat(blobNames()).noneMatch(n -> n.endsWith(".incomplete"));
    }

    @Test
    void aServerThatIgnoresRangeMakesTheDownloadStartOver() throws IOException {
        hub.publish(ID, C1, syntheticRepo("i", "{}"), "main");
        hub.rangeSupported = false;
        hub.dropsLeft.put(WEIGHTS, new AtomicInteger(1));
        assertThat(models().build().resolve(ID).resolve(WEIGHTS)).hasBinaryContent(weights);
    }

    @Test
    void aCorruptedDownloadIsRejectedAndNothingIsPlaced() throws IOException {
        hub.publish(ID, C1, syntheticRepo("c", "{}"), "main");
        hub.corrupt.add(WEIGHTS);
        String sha = FakeHub.sha256(weights);
        assertThatThrownBy(() -> models().build().resolve(ID))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("corrupted").hasMessageContaining("sha256").hasMessageContaining(sha);
        Path snap = repoDir().resolve("snapshots").resolve(C1);
        assertThat(Files.isSymbolicLink(snap.resolve(WEIGHTS)) || Files.exists(snap.resolve(WEIGHTS))).isFalse();
        assertThat(blobNames()).noneMatch(n -> n.startsWith(sha));

        hub.corrupt.clear();
        assertThat(models().build().resolve(ID).resolve(WEIGHTS)).hasBinaryContent(weights);
    }

    @Test
    void safetensorsArePreferredAndTorchBinIsTheFallback() throws IOException {
        Path both = syntheticRepo("both", "{}");
        Files.write(both.resolve("pytorch_model.bin"), new byte[1000]);
        hub.publish(ID, C1, both, "main");
        Path snap = models().build().resolve(ID);
        assertThat(snap.resolve(WEIGHTS)).exists();
        assertThat(snap.resolve("pytorch_model.bin")).doesNotExist();
        assertThat(hub.count("GET", "pytorch_model.bin")).isZero();

        Path binOnly = syntheticRepo("bin", "{}");
        Files.delete(binOnly.resolve(WEIGHTS));
        Files.write(binOnly.resolve("pytorch_model.bin"), weights);
        hub.publish(ID, C2, binOnly, "legacy");
        Path legacy = models().build().resolve(ID, "legacy");
        assertThat(legacy.resolve("pytorch_model.bin")).hasBinaryContent(weights);

        Path none = syntheticRepo("none", "{}");
        Files.delete(none.resolve(WEIGHTS));
        String c3 = "3333333333333333333333333333333333333333";
        hub.publish(ID, c3, none, "empty");
        assertThatThrownBy(() -> models().build().resolve(ID, "empty"))
                .isInstanceOf(HubException.class).hasMessageContaining("has no weights").hasMessageContaining("README.md");
    }

    @Test
    void diskFullNamesTheCacheFolder() {
        HubCache c = new HubCache(cache, ID);
        IOException full = new IOException("No space left on device");
        assertThat(HubDownloader.isDiskFull(full)).isTrue();
        assertThat(HubDownloader.isDiskFull(new IOException("Connection reset"))).isFalse();
        assertThat(HubDownloader.ioError(c, WEIGHTS, full))
                .hasMessageContaining("No space left on device").hasMessageContaining(cache.toString())
                .hasMessageContaining("HF_HUB_CACHE");
    }

    @Test
    void cacheFolderComesFromHfHubCacheThenHfHome() {
        assertThat(HubModels.builder().environment(Map.of("HF_HUB_CACHE", "/x/hub", "HF_HOME", "/y")).build().cacheDir())
                .isEqualTo(Path.of("/x/hub"));
        assertThat(HubModels.builder().environment(Map.of("HF_HOME", "/y")).build().cacheDir())
                .isEqualTo(Path.of("/y/hub"));
        assertThat(HubModels.builder().environment(Map.of()).build().cacheDir())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
        assertThat(HubModels.builder().environment(Map.of()).build().endpoint().toString())
                .isEqualTo("https://huggingface.co");
        assertThat(HubModels.builder().environment(Map.of("HF_HUB_OFFLINE", "1")).build().offline()).isTrue();
    }

    @Test
    void locateUsesAnExistingFolderAsIsAndAHubIdOtherwise() throws IOException {
        Path folder = tmp.resolve("acme");
        Files.createDirectories(folder);
        HubModels offline = models().offline(true).build();
        assertThat(offline.locate(folder.toString(), null)).isEqualTo(folder);
        assertThat(offline.locate("/no/such/folder", null)).isEqualTo(Path.of("/no/such/folder"));
        assertThatThrownBy(() -> offline.locate(ID, "main")).isInstanceOf(HubOfflineException.class);
        assertThat(HubModels.isRepoId("starmpcc/Asclepius-7B")).isTrue();
        assertThat(HubModels.isRepoId("starmpcc/Asclepius-Llama3-8B")).isTrue();
        assertThat(HubModels.isRepoId("/models/x")).isFalse();
        assertThat(HubModels.isRepoId("a/b/c")).isFalse();
        assertThat(HubModels.isRepoId("../x")).isFalse();
        assertThatThrownBy(() -> offline.resolve("not-an-id")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void progressBarShowsBytesPercentAndRate() {
        assertThat(ProgressBar.line("model.safetensors", 5_000_000, 10_000_000, 2_500_000))
                .isEqualTo("model.safetensors [############            ]  50% 5.0/10.0 MB 2.5 MB/s");
        assertThat(ProgressBar.line("x", 1_000_000, -1, 0)).isEqualTo("x 1.0 MB 0.0 MB/s");
    }

    @Test
    void resolveFileFetchesOneNamedFileThenServesItFromTheCacheOffline() throws IOException {
        Path src = tmp.resolve("src-gguf");
        Files.createDirectories(src);
        byte[] gguf = new byte[50_000];
        new Random(3).nextBytes(gguf);
        Files.write(src.resolve("model.Q8_0.gguf"), gguf);
        Files.write(src.resolve("model.Q4_0.gguf"), new byte[1000]);
        Files.writeString(src.resolve("README.md"), "quantizations");
        hub.publish(ID, C1, src, "main");

        Path file = models().build().resolveFile(ID, null, "model.Q8_0.gguf");
        assertThat(file).isEqualTo(repoDir().resolve("snapshots").resolve(C1).resolve("model.Q8_0.gguf"));
        assertThat(Files.readAllBytes(file)).isEqualTo(gguf);
        assertThat(hub.count("GET", "model.Q4_0.gguf")).isZero();
        assertThat(models("HF_HUB_OFFLINE", "1").build().resolveFile(ID, "main", "model.Q8_0.gguf")).isEqualTo(file);
        assertThatThrownBy(() -> models("HF_HUB_OFFLINE", "1").build().resolveFile(ID, "main", "model.Q4_0.gguf"))
                .isInstanceOf(HubOfflineException.class).hasMessageContaining("model.Q4_0.gguf");
        assertThatThrownBy(() -> models().build().resolveFile(ID, "main", "model.F16.gguf"))
                .isInstanceOf(HubNotFoundException.class).hasMessageContaining("model.Q8_0.gguf");
    }

    /** Every file under {@code root} except the cache and the published sources, relative, sorted. */
    private List<String> filesOutsideTheCache() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> !p.startsWith(cache) && !p.getFileName().toString().startsWith("src-"))
                    .filter(p -> !p.equals(tmp))
                    .filter(p -> tmp.relativize(p).getNameCount() > 0
                            && !tmp.relativize(p).getName(0).toString().startsWith("src-"))
                    .map(p -> tmp.relativize(p).toString()).sorted().toList();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "../../../../tmp/x/authorized_keys", "model-00001/../../../../../tmp/x/authorized_keys",
            "ABSOLUTE", "..\\..\\..\\..\\tmp\\x\\authorized_keys", "shards//model-00001.safetensors",
            "./model-00001.safetensors", "C:model-00001.safetensors", "model-00001.safetensors\n"})
    void aHostileShardNameIsRefusedBeforeAnythingIsWrittenOutsideTheCache(String shardName) throws IOException {
        String shard = shardName.equals("ABSOLUTE") ? tmp.resolve("tmp/x/authorized_keys").toString() : shardName;
        Map<String, byte[]> files = new java.util.TreeMap<>();
        files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors.index.json", ("{\"weight_map\": {\"w\": "
                + new com.google.gson.Gson().toJson(shard) + "}}").getBytes(StandardCharsets.UTF_8));
        files.put(shard, "ssh-ed25519 AAAA attacker".getBytes(StandardCharsets.UTF_8));
        hub.publishFiles(ID, C1, files, "main");
        List<String> before = filesOutsideTheCache();

        assertThatThrownBy(() -> models().build().resolve(ID)).isInstanceOf(HubException.class)
                .hasMessageContaining("is not a file of a model repository").hasMessageContaining("refusing it");

        assertThat(filesOutsideTheCache()).isEqualTo(before);
        assertThat(Files.exists(tmp.resolve("tmp/x/authorized_keys"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(hub.count("GET", "authorized_keys") + hub.count("HEAD", "authorized_keys")).isZero();
        // Whatever the cache holds lies inside it: no link in it points out of it.
        if (Files.exists(cache)) {
            try (Stream<Path> s = Files.walk(cache)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isSymbolicLink(p)) {
                        Path target = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
                        assertThat(target).startsWith(cache);
                    }
                }
            }
        }
    }

    @Test
    void aHostileShardNamedOnlyByTheIndexIsRefusedByName() throws IOException {
        // The file list is clean; only the downloaded index names the escaping shard.
        String shard = "../../../../tmp/x/authorized_keys";
        Map<String, byte[]> files = new java.util.TreeMap<>();
        files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors.index.json",
                ("{\"weight_map\": {\"w\": \"" + shard + "\"}}").getBytes(StandardCharsets.UTF_8));
        files.put(shard, "ssh-ed25519 AAAA attacker".getBytes(StandardCharsets.UTF_8));
        hub.unlisted.add(shard);
        hub.publishFiles(ID, C1, files, "main");
        assertThatThrownBy(() -> models().build().resolve(ID)).isInstanceOf(HubException.class)
                .hasMessageContaining("model.safetensors.index.json of " + ID)
                .hasMessageContaining("\"" + shard + "\"").hasMessageContaining("'..' path segment");
        assertThat(Files.exists(tmp.resolve("tmp"))).isFalse();
        assertThat(hub.count("HEAD", "authorized_keys") + hub.count("GET", "authorized_keys")).isZero();
    }

    @Test
    void aHostileNameInTheFileListIsRefusedEvenWhenNotNeeded() throws IOException {
        Map<String, byte[]> files = new java.util.TreeMap<>();
        files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put(WEIGHTS, new byte[10]);
        files.put("../../../../tmp/x/authorized_keys", new byte[10]);
        hub.publishFiles(ID, C1, files, "main");
        assertThatThrownBy(() -> models().build().resolve(ID)).isInstanceOf(HubException.class)
                .hasMessageContaining("The hub's file list").hasMessageContaining("'..' path segment");
        assertThat(hub.count("GET", "/resolve/")).isZero();
        assertThat(Files.exists(repoDir().resolve("snapshots"))).isFalse();
    }

    @Test
    void snapshotFilesStayInsideTheSnapshot() {
        HubCache c = new HubCache(cache, ID);
        assertThat(c.snapshotFile(C1, "sub/model.safetensors"))
                .isEqualTo(c.snapshot(C1).toAbsolutePath().normalize().resolve("sub/model.safetensors"));
        for (String bad : List.of("..", "a/../../b", "/etc/passwd", "a\\b", "", "a/", "a/./b")) {
            assertThatThrownBy(() -> c.snapshotFile(C1, bad)).as(bad).isInstanceOf(HubException.class);
        }
        assertThatThrownBy(() -> c.snapshotFile("../../x", "config.json")).isInstanceOf(HubException.class);
        assertThatThrownBy(() -> c.blob("../escape")).isInstanceOf(HubException.class);
    }
}
