package dev.asclepius.core.internal.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.hub.DownloadListener;
import dev.asclepius.core.hub.HubException;
import dev.asclepius.core.internal.wire.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's HTTP side: the revision's commit and file list ({@code /api/models/{id}/revision/{rev}}), file
 * metadata ({@code HEAD /{id}/resolve/{commit}/{file}}) and resumable, verified downloads into the cache.
 * Redirects are followed by hand so the token is only sent to the endpoint's own host.
 */
public final class HubDownloader {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int MAX_REDIRECTS = 10;

    /** The revision's commit and the files in it. */
    public record RepoInfo(String commit, List<String> files) {
    }

    /** What a HEAD on a file says: its etag (blob name), size (-1 unknown), and whether it is an LFS file. */
    public record FileMeta(String etag, long size, boolean lfs) {
    }

    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final DownloadListener listener;
    private final RetryPolicy retry;
    private final Duration timeout;

    /** Retries a failed connection with {@link #retryPolicy(int)}. */
    public HubDownloader(URI endpoint, String token, DownloadListener listener, int maxAttempts, Duration timeout) {
        this(endpoint, token, listener, retryPolicy(maxAttempts), timeout);
    }

    public HubDownloader(URI endpoint, String token, DownloadListener listener, RetryPolicy retry, Duration timeout) {
        this.endpoint = endpoint;
        this.token = token;
        this.listener = listener;
        this.retry = retry;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    /**
     * The hub's schedule: {@code maxAttempts} in all, waits of up to 0.2 s doubling to 2 s (a dropped download
     * resumes where it stopped, so short waits lose little), Retry-After honoured up to a minute.
     */
    public static RetryPolicy retryPolicy(int maxAttempts) {
        return RetryPolicy.builder().maxAttempts(maxAttempts).backoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .maxRetryAfter(Duration.ofMinutes(1)).build();
    }

    public URI endpoint() {
        return endpoint;
    }

    // ---- revision info

    public RepoInfo info(String repoId, String revision) {
        URI uri = URI.create(endpoint + "/api/models/" + repoId + "/revision/" + segment(revision));
        String what = "model " + repoId + " at revision \"" + revision + "\"";
        return withRetries(what, attempt -> {
            try {
                HttpResponse<InputStream> r = send("GET", uri, 0, true);
                try (InputStream body = r.body()) {
                    if (r.statusCode() != 200) {
                        throw statusFailure(r, repoId, revision, null);
                    }
                    JsonObject o = JsonParser.parseString(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                            .getAsJsonObject();
                    String sha = o.has("sha") ? o.get("sha").getAsString() : null;
                    if (sha == null || !HubCache.isCommit(sha)) {
                        throw new HubException("The hub's answer for " + what + " (" + uri + ") has no commit \"sha\"");
                    }
                    List<String> files = new ArrayList<>();
                    if (o.has("siblings")) {
                        for (JsonElement e : o.getAsJsonArray("siblings")) {
                            // Every name checked before anything is written: the cache places files by them.
                            files.add(HubCache.checkRepoFile(e.getAsJsonObject().get("rfilename").getAsString(),
                                    "The hub's file list for " + what + " (" + uri + ")"));
                        }
                    }
                    return new RepoInfo(sha, files);
                }
            } catch (IOException e) {
                throw new RetryPolicy.Retry(e.toString(), -1, Optional.empty(), e);
            } catch (RuntimeException e) {
                if (e instanceof HubException) {
                    throw e;
                }
                throw new HubException("The hub's answer for " + what + " (" + uri + ") is not the expected JSON: "
                        + e.getMessage(), e);
            }
        });
    }

    // ---- files

    /**
     * Puts {@code file} of {@code repoId} at {@code commit} into the cache: HEAD for its etag, download into
     * {@code blobs/<etag>.incomplete} (resuming what an earlier attempt left), verify size and, for LFS
     * files, sha256, rename to {@code blobs/<etag>}, link from the snapshot. Returns the snapshot path.
     */
    public Path fetch(HubCache cache, String repoId, String revision, String commit, String file) {
        cache.snapshotFile(commit, file);   // refuses a name that could leave the cache before any request
        URI uri = URI.create(endpoint + "/" + repoId + "/resolve/" + commit + "/" + path(file));
        FileMeta meta = head(uri, repoId, revision, file);
        Path blob = cache.blob(meta.etag());
        try {
            if (!Files.isRegularFile(blob) || (meta.size() >= 0 && Files.size(blob) != meta.size())) {
                Files.createDirectories(blob.getParent());
                download(cache, uri, meta, file, repoId, revision);
            }
            Path placed = cache.link(commit, file, meta.etag());
            listener.finished(file, Files.size(blob));
            return placed;
        } catch (IOException e) {
            throw ioError(cache, file, e);
        }
    }

    FileMeta head(URI uri, String repoId, String revision, String file) {
        return withRetries(file + " of " + repoId, attempt -> {
            try {
                HttpResponse<InputStream> r = send("HEAD", uri, 0, false);
                r.body().close();
                int s = r.statusCode();
                boolean redirect = s >= 300 && s < 400;
                if (s != 200 && !(redirect && r.headers().firstValue("X-Linked-Etag").isPresent())) {
                    throw statusFailure(r, repoId, revision, file);
                }
                Optional<String> linked = r.headers().firstValue("X-Linked-Etag");
                String etag = normalizeEtag(linked.or(() -> r.headers().firstValue("ETag")).orElse(null));
                HubCache.checkEtag(etag, file + " of " + repoId + " (" + uri + ")");
                long size = r.headers().firstValue("X-Linked-Size")
                        .or(() -> redirect ? Optional.empty() : r.headers().firstValue("Content-Length"))
                        .map(Long::parseLong).orElse(-1L);
                boolean lfs = linked.isPresent() || SHA256.matcher(etag).matches();
                return new FileMeta(etag, size, lfs && SHA256.matcher(etag).matches());
            } catch (IOException e) {
                throw new RetryPolicy.Retry(e.toString(), -1, Optional.empty(), e);
            }
        });
    }

    private void download(HubCache cache, URI uri, FileMeta meta, String file, String repoId, String revision)
            throws IOException {
        Path part = cache.incomplete(meta.etag());
        checkSpace(cache, part, meta.size());
        String what = file + " of " + repoId;
        String digest = withRetries(what, attempt -> {
            try {
                return transfer(uri, part, meta, file, repoId, revision);
            } catch (IOException e) {
                if (isDiskFull(e)) {
                    throw ioError(cache, file, e);
                }
                throw new RetryPolicy.Retry(e.toString(), -1, Optional.empty(), e);
            }
        }, (attempts, last) -> {
            if (last.status() > 0) {
                return new HubException(last.getMessage() + " (after " + attempts + " attempt(s))");
            }
            long have = sizeOrZero(part);
            return new HubException("Download of " + what + " from " + endpoint + " was interrupted after " + have
                    + (meta.size() >= 0 ? " of " + meta.size() : "") + " bytes (" + last.getCause().getMessage()
                    + "); the part is kept as " + part + " and the next run resumes it", last.getCause());
        });
        long size = Files.size(part);
        if (meta.size() >= 0 && size != meta.size()) {
            Files.deleteIfExists(part);
            throw new HubException("Downloaded " + file + " of " + repoId + " is " + size + " bytes but the hub says "
                    + meta.size() + "; the partial file was deleted, run again");
        }
        if (meta.lfs() && !meta.etag().equals(digest)) {
            Files.deleteIfExists(part);
            throw new HubException("Downloaded " + file + " of " + repoId + " is corrupted: its sha256 is " + digest
                    + " but the hub says " + meta.etag() + "; the download was deleted and nothing was placed in "
                    + cache.repoDir() + ". Run again; if it repeats, the endpoint " + endpoint
                    + " or a proxy is altering the file");
        }
        HubCache.moveAtomically(part, cache.blob(meta.etag()));
    }

    /** One attempt: continues {@code part} with a Range request when possible. Returns the sha256 of the whole file. */
    private String transfer(URI uri, Path part, FileMeta meta, String file, String repoId, String revision)
            throws IOException, RetryPolicy.Retry {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(part);
            have = 0;
        }
        if (meta.size() >= 0 && have == meta.size() && have > 0) {
            listener.started(file, meta.size(), have);
            return sha256(part);
        }
        HttpResponse<InputStream> r = send("GET", uri, have, true);
        long total = meta.size();
        boolean append;
        if (r.statusCode() == 206 && have > 0) {
            Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
            append = m.matches() && Long.parseLong(m.group(1)) == have;
            if (!append) {
                r.body().close();
                Files.deleteIfExists(part);
                throw new IOException("the server answered a different range than asked ("
                        + r.headers().firstValue("Content-Range").orElse("none") + "); starting over");
            }
            if (total < 0 && !m.group(3).equals("*")) {
                total = Long.parseLong(m.group(3));
            }
        } else if (r.statusCode() == 200) {
            append = false; // the server ignored Range (or none was sent): start over
            if (total < 0) {
                total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            }
        } else if (r.statusCode() == 416) {
            r.body().close();
            Files.deleteIfExists(part);
            throw new IOException("the server refused to resume (HTTP 416); starting over");
        } else {
            r.body().close();
            throw statusFailure(r, repoId, revision, file);
        }
        long done = append ? have : 0;
        MessageDigest sha = newSha256();
        if (append) {
            try (InputStream in = Files.newInputStream(part)) {
                updateFrom(sha, in);
            }
        }
        listener.started(file, total, done);
        try (InputStream in = r.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                done += n;
                listener.progress(file, done, total);
            }
        }
        if (total >= 0 && done < total) {
            throw new IOException("the connection ended after " + done + " of " + total + " bytes");
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    // ---- HTTP

    private HttpResponse<InputStream> send(String method, URI uri, long rangeFrom, boolean followAll)
            throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "asclepius-java/0.1");
            if (token != null && sameOrigin(current, endpoint)) {
                b.header("Authorization", "Bearer " + token);
            }
            if (rangeFrom > 0) {
                b.header("Range", "bytes=" + rangeFrom + "-");
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException("Interrupted while talking to " + current, e);
            }
            int s = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if (s >= 300 && s < 400 && s != 304 && location.isPresent()) {
                URI next = current.resolve(location.get());
                boolean relative = !URI.create(location.get()).isAbsolute();
                if (followAll || relative) {
                    r.body().close();
                    current = next;
                    continue;
                }
            }
            return r;
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }

    /** A 429/5xx (the hub is busy or failing: retried, honouring Retry-After) or the final error for the status. */
    private RetryPolicy.Retry statusFailure(HttpResponse<?> r, String repoId, String revision, String file) {
        HubException error = HubErrors.status(endpoint, token, r, repoId, revision, file);
        if (!retry.isRetryableStatus(r.statusCode())) {
            throw error;
        }
        return new RetryPolicy.Retry(error.getMessage(), r.statusCode(),
                r.headers().firstValue("Retry-After").flatMap(retry::retryAfter), null);
    }

    // ---- disk

    public static boolean isDiskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("not enough space on the disk")
                    || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    public static HubException ioError(HubCache cache, String file, IOException e) {
        if (isDiskFull(e)) {
            return HubErrors.diskFull(cache, file, e.getMessage(), e);
        }
        return new HubException("Cannot write " + file + " into the hub cache " + cache.root() + ": " + e, e);
    }

    private static void checkSpace(HubCache cache, Path part, long size) throws IOException {
        if (size < 0) {
            return;
        }
        long have = Files.exists(part) ? Files.size(part) : 0;
        long usable = Files.getFileStore(part.getParent()).getUsableSpace();
        if (usable >= 0 && usable < size - have) {
            throw HubErrors.diskFull(cache, part.getFileName().toString().replace(".incomplete", ""), "needs "
                    + (size - have) + " more bytes, " + usable + " free", null);
        }
    }

    // ---- helpers

    /** Runs {@code attempt} under the retry policy; giving up on a failed connection says the hub is unreachable. */
    private <T> T withRetries(String what, RetryPolicy.Attempt<T> attempt) {
        return withRetries(what, attempt, (attempts, last) -> last.status() > 0
                ? new HubException(last.getMessage() + " (after " + attempts + " attempt(s))")
                : HubErrors.unreachable(endpoint, what, last.getCause()));
    }

    private <T> T withRetries(String what, RetryPolicy.Attempt<T> attempt, RetryPolicy.GiveUp giveUp) {
        try {
            return retry.run(attempt, giveUp);
        } catch (InterruptedException e) {
            throw new HubException("Interrupted while waiting to retry " + what + " from " + endpoint, e);
        }
    }

    private static long sizeOrZero(Path part) {
        try {
            return Files.exists(part) ? Files.size(part) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.toLowerCase(Locale.ROOT);
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String path(String file) {
        StringBuilder sb = new StringBuilder();
        for (String part : file.split("/")) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(segment(part));
        }
        return sb.toString();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void updateFrom(MessageDigest sha, InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            sha.update(buf, 0, n);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            updateFrom(sha, in);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
