package dev.asclepius.core.internal.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.hub.DownloadListener;
import dev.asclepius.core.hub.HubAccessException;
import dev.asclepius.core.hub.HubException;
import dev.asclepius.core.hub.HubNotFoundException;
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
    private final int maxAttempts;
    private final Duration timeout;

    public HubDownloader(URI endpoint, String token, DownloadListener listener, int maxAttempts, Duration timeout) {
        this.endpoint = endpoint;
        this.token = token;
        this.listener = listener;
        this.maxAttempts = maxAttempts;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    public URI endpoint() {
        return endpoint;
    }

    // ---- revision info

    public RepoInfo info(String repoId, String revision) {
        URI uri = URI.create(endpoint + "/api/models/" + repoId + "/revision/" + segment(revision));
        String what = "model " + repoId + " at revision \"" + revision + "\"";
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<InputStream> r = send("GET", uri, 0, true);
                try (InputStream body = r.body()) {
                    if (r.statusCode() != 200) {
                        throw statusError(r, repoId, revision, null);
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
                if (attempt >= maxAttempts) {
                    throw unreachable(what, e);
                }
                pause(attempt);
            } catch (RuntimeException e) {
                if (e instanceof HubException) {
                    throw e;
                }
                throw new HubException("The hub's answer for " + what + " (" + uri + ") is not the expected JSON: "
                        + e.getMessage(), e);
            }
        }
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
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<InputStream> r = send("HEAD", uri, 0, false);
                r.body().close();
                int s = r.statusCode();
                boolean redirect = s >= 300 && s < 400;
                if (s != 200 && !(redirect && r.headers().firstValue("X-Linked-Etag").isPresent())) {
                    throw statusError(r, repoId, revision, file);
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
                if (attempt >= maxAttempts) {
                    throw unreachable(file + " of " + repoId, e);
                }
                pause(attempt);
            }
        }
    }

    private void download(HubCache cache, URI uri, FileMeta meta, String file, String repoId, String revision)
            throws IOException {
        Path part = cache.incomplete(meta.etag());
        checkSpace(cache, part, meta.size());
        String digest = null;
        for (int attempt = 1; ; attempt++) {
            try {
                digest = transfer(uri, part, meta, file, repoId, revision);
                break;
            } catch (IOException e) {
                if (isDiskFull(e)) {
                    throw e;
                }
                if (attempt >= maxAttempts) {
                    long have = Files.exists(part) ? Files.size(part) : 0;
                    throw new HubException("Download of " + file + " of " + repoId + " from " + endpoint
                            + " was interrupted after " + have + (meta.size() >= 0 ? " of " + meta.size() : "")
                            + " bytes (" + e.getMessage() + "); the part is kept as " + part
                            + " and the next run resumes it", e);
                }
                pause(attempt);
            }
        }
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
            throws IOException {
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
            throw statusError(r, repoId, revision, file);
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

    private HubException statusError(HttpResponse<?> r, String repoId, String revision, String file) {
        int s = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String page = endpoint + "/" + repoId;
        String thing = file == null ? "model " + repoId + " at revision \"" + revision + "\""
                : file + " of model " + repoId + " at revision \"" + revision + "\"";
        if (code.equals("RepoNotFound") || code.equals("RevisionNotFound") || code.equals("EntryNotFound") || s == 404) {
            String why = switch (code) {
                case "RevisionNotFound" -> "the revision \"" + revision + "\" does not exist in " + repoId;
                case "EntryNotFound" -> "the repository has no file " + file + " at that revision";
                default -> file == null ? "no model " + repoId + " with a revision \"" + revision + "\" exists there"
                        : "not found";
            };
            return new HubNotFoundException("The hub at " + endpoint + " has no " + thing + " (HTTP " + s + ": " + why
                    + "). Check the id (\"org/name\", as on " + page + ") and the revision (a branch, tag or commit)"
                    + (token == null ? "; a private repository also reads as missing without HF_TOKEN" : ""));
        }
        if (s == 401 || s == 403) {
            String tokenHint = token == null
                    ? "no token was sent: set HF_TOKEN (or the builder's token(...)) to an access token of an account"
                            + " that was granted access"
                    : "the token that was sent was refused or has no access: check HF_TOKEN (a read token of the account"
                            + " that accepted the license)";
            return new HubAccessException("Access to " + thing + " was refused (HTTP " + s
                    + (code.isEmpty() ? "" : ", " + code) + "): the model is gated or private. Accept its license on "
                    + page + " while logged in, and " + tokenHint + ". Tokens: " + endpoint + "/settings/tokens");
        }
        return new HubException("The hub at " + endpoint + " answered HTTP " + s + " for " + thing
                + (s >= 500 ? "; the hub may be down, try again later" : ""));
    }

    private HubException unreachable(String what, IOException e) {
        return new HubException("Cannot reach the hub at " + endpoint + " for " + what + ": " + e
                + ". Check the network (or HF_ENDPOINT); to use only what is already in the cache set HF_HUB_OFFLINE=1", e);
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
            return diskFull(cache, file, e.getMessage(), e);
        }
        return new HubException("Cannot write " + file + " into the hub cache " + cache.root() + ": " + e, e);
    }

    static HubException diskFull(HubCache cache, String file, String detail, Throwable cause) {
        return new HubException("No space left on device while downloading " + file + " into the hub cache folder "
                + cache.root() + " (" + detail + "). Free space there, or set HF_HUB_CACHE (or HF_HOME) to a folder on"
                + " a disk with room for the model; a partial download is kept as blobs/*.incomplete and resumes", cause);
    }

    private static void checkSpace(HubCache cache, Path part, long size) throws IOException {
        if (size < 0) {
            return;
        }
        long have = Files.exists(part) ? Files.size(part) : 0;
        long usable = Files.getFileStore(part.getParent()).getUsableSpace();
        if (usable >= 0 && usable < size - have) {
            throw diskFull(cache, part.getFileName().toString().replace(".incomplete", ""), "needs "
                    + (size - have) + " more bytes, " + usable + " free", null);
        }
    }

    // ---- helpers

    /** A short, growing wait before another attempt (0.2 s, 0.4 s, ... at most 2 s). */
    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(2000L, 200L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("Interrupted while waiting to retry a download", e);
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
