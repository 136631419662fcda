package dev.asclepius.core.hub;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.hub.HubCache;
import dev.asclepius.core.internal.hub.HubDownloader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds a model by its Hugging Face id ({@code "starmpcc/Asclepius-7B"}) the way the Python libraries do,
 * and returns the local snapshot folder to give {@link dev.asclepius.core.LocalModel#builder(Path)}.
 *
 * <pre>{@code
 * Path dir = HubModels.fromEnvironment().resolve("starmpcc/Asclepius-7B");           // revision "main"
 * Path pinned = HubModels.fromEnvironment().resolve("starmpcc/Asclepius-7B", "5c2d0e8...");
 * }</pre>
 *
 * <p>The cache is the one {@code huggingface_hub} uses ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub},
 * else {@code ~/.cache/huggingface/hub}), so a model fetched with {@code huggingface-cli download} is used
 * without any network call. A revision whose snapshot already holds {@code config.json},
 * {@code tokenizer.json} and all the weights starts with zero requests. Otherwise the revision's file list
 * is asked from {@code $HF_ENDPOINT} (default {@code https://huggingface.co}) and the missing files among
 * {@code config.json}, {@code generation_config.json}, the tokenizer files and the weights (safetensors
 * preferred over {@code pytorch_model*.bin}) are downloaded, resumably and verified, into the same cache.
 * {@code HF_HUB_OFFLINE=1} or {@link Builder#offline(boolean)} never touches the network. {@code HF_TOKEN}
 * (or {@link Builder#token(String)}, else the token file {@code huggingface-cli login} writes) is sent as
 * {@code Authorization: Bearer}.
 *
 * <p>Immutable and thread-safe; two resolutions of the same repository at once in one cache are not
 * coordinated (a corrupted interleaving is caught by the sha256 check).
 */
public final class HubModels {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    /** The default revision. */
    public static final String MAIN = "main";

    private final Map<String, String> env;
    private final Path cacheDir;
    private final URI endpoint;
    private final String token;
    private final boolean offline;
    private final DownloadListener listener;
    private final int maxAttempts;
    private final Duration timeout;

    private HubModels(Builder b) {
        this.env = b.env != null ? Map.copyOf(b.env) : System.getenv();
        this.cacheDir = (b.cacheDir != null ? b.cacheDir : defaultCache(env)).toAbsolutePath().normalize();
        String ep = b.endpoint != null ? b.endpoint : env.getOrDefault("HF_ENDPOINT", "https://huggingface.co");
        while (ep.endsWith("/")) {
            ep = ep.substring(0, ep.length() - 1);
        }
        try {
            this.endpoint = URI.create(ep);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("HF_ENDPOINT / endpoint is not a URL: " + ep);
        }
        this.token = b.token != null ? b.token : defaultToken(env);
        this.offline = b.offline != null ? b.offline : truthy(env.get("HF_HUB_OFFLINE"));
        this.listener = b.listener != null ? b.listener
                : truthy(env.get("HF_HUB_DISABLE_PROGRESS_BARS")) ? DownloadListener.NONE
                : DownloadListener.progressBar(System.err);
        this.maxAttempts = b.maxAttempts;
        this.timeout = b.timeout;
    }

    /** Settings from the process environment only. */
    public static HubModels fromEnvironment() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this instance's explicit settings (environment, cache, endpoint, token, offline, ...). */
    public Builder toBuilder() {
        return new Builder().environment(env).cacheDir(cacheDir).endpoint(endpoint.toString()).token(token)
                .offline(offline).listener(listener).maxAttempts(maxAttempts).timeout(timeout);
    }

    /** Whether {@code s} has the form of a hub model id, {@code "org/name"}. */
    public static boolean isRepoId(String s) {
        return s != null && REPO_ID.matcher(s).matches() && !s.contains("..") && !s.contains("--");
    }

    /** The hub cache folder (holding {@code models--org--name} folders). */
    public Path cacheDir() {
        return cacheDir;
    }

    public URI endpoint() {
        return endpoint;
    }

    public boolean offline() {
        return offline;
    }

    /** {@link #resolve(String, String)} at revision {@code "main"}. */
    public Path resolve(String repoId) {
        return resolve(repoId, MAIN);
    }

    /**
     * The snapshot folder of {@code repoId} at {@code revision} (a branch, a tag or a 40-hex commit), complete
     * for loading; downloads what the cache lacks unless offline.
     *
     * @throws HubOfflineException offline and something is missing (names the files and the cache folder)
     * @throws HubAccessException 401/403: gated or private
     * @throws HubNotFoundException 404: no such id or revision
     * @throws HubException unreachable hub, interrupted or corrupted download, disk full
     */
    public Path resolve(String repoId, @Nullable String revision) {
        if (!isRepoId(repoId)) {
            throw new InvalidInputException("\"" + repoId + "\" is not a Hugging Face model id: expected \"org/name\""
                    + " such as \"starmpcc/Asclepius-7B\"");
        }
        String rev = revision == null || revision.isBlank() ? MAIN : revision.trim();
        if (rev.contains("..") || rev.startsWith("/") || rev.contains("\\") || rev.chars().anyMatch(c -> c < 0x20)) {
            throw new InvalidInputException("Unusable revision \"" + rev + "\"");
        }
        HubCache cache = new HubCache(cacheDir, repoId);
        Optional<String> cached = cache.commitFor(rev);
        if (cached.isPresent() && cache.missing(cached.get()).isEmpty()) {
            return cache.snapshot(cached.get());
        }
        if (offline) {
            String where = cached.map(c -> "its snapshot " + cache.snapshot(c) + " lacks "
                    + String.join(", ", cache.missing(c)))
                    .orElse(HubCache.isCommit(rev) ? "no snapshot " + cache.snapshot(rev) + " exists"
                            : "no " + cache.repoDir().resolve("refs").resolve(rev) + " names a commit for it");
            throw new HubOfflineException("Offline (HF_HUB_OFFLINE or offline(true)) and the hub cache " + cacheDir
                    + " does not hold model " + repoId + " at revision \"" + rev + "\" complete: " + where
                    + ". Download it once online (or with huggingface-cli download " + repoId + " --revision " + rev
                    + "), or point HF_HUB_CACHE / HF_HOME at the cache that has it");
        }
        HubDownloader dl = new HubDownloader(endpoint, token, listener, maxAttempts, timeout);
        HubDownloader.RepoInfo info = dl.info(repoId, rev);
        String commit = info.commit();
        try {
            if (!rev.equals(commit)) {
                cache.writeRef(rev, commit);
            }
        } catch (IOException e) {
            throw HubDownloader.ioError(cache, "refs/" + rev, e);
        }
        Path snap = cache.snapshot(commit);
        for (String file : plan(repoId, rev, info, cache, dl)) {
            if (!Files.isRegularFile(snap.resolve(file))) {
                dl.fetch(cache, repoId, rev, commit, file);
            }
        }
        List<String> missing = cache.missing(commit);
        if (!missing.isEmpty()) {
            throw new HubException("After downloading, the snapshot " + snap + " of " + repoId + " still lacks "
                    + String.join(", ", missing));
        }
        return snap;
    }

    /**
     * One named file of {@code repoId} at {@code revision} (e.g. a {@code .gguf} quantization, which such
     * repositories hold instead of config, tokenizer and weights), from the cache or downloaded into it.
     *
     * @throws HubOfflineException offline and the file is not cached
     * @throws HubNotFoundException no such id, revision or file
     */
    public Path resolveFile(String repoId, @Nullable String revision, String file) {
        if (!isRepoId(repoId)) {
            throw new InvalidInputException("\"" + repoId + "\" is not a Hugging Face model id: expected \"org/name\"");
        }
        if (file == null || file.isBlank() || file.contains("..") || file.startsWith("/")) {
            throw new InvalidInputException("Unusable file name \"" + file + "\" in " + repoId);
        }
        String rev = revision == null || revision.isBlank() ? MAIN : revision.trim();
        HubCache cache = new HubCache(cacheDir, repoId);
        Optional<String> cached = cache.commitFor(rev);
        if (cached.isPresent() && Files.isRegularFile(cache.snapshot(cached.get()).resolve(file))) {
            return cache.snapshot(cached.get()).resolve(file);
        }
        if (offline) {
            throw new HubOfflineException("Offline (HF_HUB_OFFLINE or offline(true)) and the hub cache " + cacheDir
                    + " does not hold " + file + " of " + repoId + " at revision \"" + rev + "\". Download it once online"
                    + " (huggingface-cli download " + repoId + " " + file + "), or point HF_HUB_CACHE at the cache that has it");
        }
        HubDownloader dl = new HubDownloader(endpoint, token, listener, maxAttempts, timeout);
        HubDownloader.RepoInfo info = dl.info(repoId, rev);
        if (!info.files().contains(file)) {
            throw new HubNotFoundException("Model " + repoId + " at revision \"" + rev + "\" has no file " + file
                    + "; it holds: " + String.join(", ", info.files()));
        }
        try {
            if (!rev.equals(info.commit())) {
                cache.writeRef(rev, info.commit());
            }
        } catch (IOException e) {
            throw HubDownloader.ioError(cache, "refs/" + rev, e);
        }
        return dl.fetch(cache, repoId, rev, info.commit(), file);
    }

    /** Which files to fetch, in order: optional small files, then config and tokenizer, then the weights. */
    private List<String> plan(String repoId, String rev, HubDownloader.RepoInfo info, HubCache cache, HubDownloader dl) {
        Set<String> files = new HashSet<>(info.files());
        List<String> plan = new ArrayList<>();
        for (String f : HubCache.OPTIONAL) {
            if (files.contains(f)) {
                plan.add(f);
            } else {
                cache.markNoExist(info.commit(), f);
            }
        }
        List<String> lacking = new ArrayList<>();
        for (String f : HubCache.REQUIRED) {
            if (files.contains(f)) {
                plan.add(f);
            } else {
                lacking.add(f);
            }
        }
        String index = files.contains(HubCache.SAFETENSORS_INDEX) ? HubCache.SAFETENSORS_INDEX
                : files.contains(HubCache.SAFETENSORS) ? null
                : files.contains(HubCache.BIN_INDEX) ? HubCache.BIN_INDEX : null;
        String single = files.contains(HubCache.SAFETENSORS) ? HubCache.SAFETENSORS
                : files.contains(HubCache.BIN) ? HubCache.BIN : null;
        if (index == null && single == null) {
            lacking.add("weights (" + HubCache.SAFETENSORS + ", " + HubCache.SAFETENSORS_INDEX + ", " + HubCache.BIN
                    + " or " + HubCache.BIN_INDEX + ")");
        }
        if (!lacking.isEmpty()) {
            throw new HubException("Model " + repoId + " at revision \"" + rev + "\" (commit " + info.commit()
                    + ") on " + endpoint + " has no " + String.join(", ", lacking) + ", which this SDK needs;"
                    + " it holds: " + String.join(", ", info.files()));
        }
        if (index == null) {
            plan.add(single);
            return plan;
        }
        plan.add(index);
        Path indexFile = cache.snapshot(info.commit()).resolve(index);
        if (!Files.isRegularFile(indexFile)) {
            dl.fetch(cache, repoId, rev, info.commit(), index);
        }
        try {
            for (String shard : HubCache.shardsOf(Files.readString(indexFile, StandardCharsets.UTF_8))) {
                HubCache.checkRepoFile(shard, index + " of " + repoId + " at commit " + info.commit());
                if (!files.contains(shard)) {
                    throw new HubException(index + " of " + repoId + " names the shard " + shard
                            + ", which the repository does not have at commit " + info.commit());
                }
                plan.add(shard);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HubException he) {
                throw he;
            }
            throw new HubException("Cannot read " + indexFile + ": " + e.getMessage(), e);
        }
        return plan;
    }

    /**
     * {@code folderOrId} as a model folder: itself when such a folder exists, else, when it has the form
     * {@code "org/name"}, the hub snapshot {@link #resolve(String, String)} gives; otherwise the path as is
     * (loading it then reports the missing folder).
     */
    public Path locate(String folderOrId, String revision) {
        Objects.requireNonNull(folderOrId, "folderOrId");
        Path asPath;
        try {
            asPath = Path.of(folderOrId);
        } catch (java.nio.file.InvalidPathException e) {
            asPath = null;
        }
        if (asPath != null && Files.isDirectory(asPath)) {
            return asPath;
        }
        if (isRepoId(folderOrId)) {
            return resolve(folderOrId, revision);
        }
        if (asPath == null) {
            throw new InvalidInputException("\"" + folderOrId + "\" is neither a folder nor a hub id \"org/name\"");
        }
        return asPath;
    }

    private static Path defaultCache(Map<String, String> env) {
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            return expand(hub);
        }
        return hfHome(env).resolve("hub");
    }

    private static Path hfHome(Map<String, String> env) {
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) {
            return expand(home);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return expand(xdg).resolve("huggingface");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface");
    }

    private static Path expand(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + p.substring(1));
        }
        return Path.of(p);
    }

    private static String defaultToken(Map<String, String> env) {
        String t = env.get("HF_TOKEN");
        if (t != null && !t.isBlank()) {
            return t.trim();
        }
        String pathVar = env.get("HF_TOKEN_PATH");
        Path file = pathVar != null && !pathVar.isBlank() ? expand(pathVar) : hfHome(env).resolve("token");
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                return s.isEmpty() ? null : s;
            }
        } catch (IOException e) {
            // no token
        }
        return null;
    }

    private static boolean truthy(String v) {
        return v != null && Set.of("1", "on", "yes", "true").contains(v.trim().toLowerCase(Locale.ROOT));
    }

    /** Settings; every one defaults to the environment ({@link #environment(Map)}) or the Python default. */
    public static final class Builder {
        private Map<String, String> env;
        private Path cacheDir;
        private String endpoint;
        private String token;
        private Boolean offline;
        private DownloadListener listener;
        private int maxAttempts = 3;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The variables read instead of the process environment ({@code HF_HUB_CACHE}, {@code HF_HOME}, ...). */
        public Builder environment(Map<String, String> value) {
            this.env = Objects.requireNonNull(value);
            return this;
        }

        /** The hub cache folder; default {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
        public Builder cacheDir(Path value) {
            this.cacheDir = value;
            return this;
        }

        /** The hub's base URL; default {@code $HF_ENDPOINT}, else {@code https://huggingface.co}. */
        public Builder endpoint(String value) {
            this.endpoint = value;
            return this;
        }

        /** Access token sent as {@code Authorization: Bearer}; default {@code $HF_TOKEN}, else the login token file. */
        public Builder token(String value) {
            this.token = value;
            return this;
        }

        /** Never touch the network; default {@code $HF_HUB_OFFLINE}. */
        public Builder offline(boolean value) {
            this.offline = value;
            return this;
        }

        /** Download progress; default a bar on stderr (none when {@code HF_HUB_DISABLE_PROGRESS_BARS=1}). */
        public Builder listener(DownloadListener value) {
            this.listener = Objects.requireNonNull(value);
            return this;
        }

        /** Tries per request or file download, resuming between them; default 3. */
        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new InvalidInputException("maxAttempts must be >= 1, got " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        /** Connect timeout and time to wait for a response's headers; default 30 s. */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        public HubModels build() {
            return new HubModels(this);
        }
    }
}
