package dev.asclepius.core.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A loopback stand-in for the Hugging Face hub: {@code /api/models/{id}/revision/{rev}} and
 * {@code /{id}/resolve/{rev}/{file}} (HEAD and GET) with the real hub's headers ({@code X-Repo-Commit},
 * {@code ETag}; for LFS files ({@code .safetensors}/{@code .bin}) {@code X-Linked-Etag} = sha256,
 * {@code X-Linked-Size} and a redirect to {@code /cdn/<sha256>}), Range support, and switches for faults.
 */
final class FakeHub implements AutoCloseable {
    record Request(String method, String path, String range, String authorization) {
    }

    private final HttpServer server;
    /** repo id -> revision name -> commit. */
    private final Map<String, Map<String, String>> refs = new ConcurrentHashMap<>();
    /** commit -> file -> bytes. */
    private final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfsBySha = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    volatile String requiredToken;
    volatile boolean rangeSupported = true;
    /** File name -> how many more GETs of it drop the connection after half the body. */
    final Map<String, AtomicInteger> dropsLeft = new ConcurrentHashMap<>();
    /** Path prefix -> how many more requests under it get 503 with {@code Retry-After: 0} (an overloaded hub). */
    final Map<String, AtomicInteger> busyLeft = new ConcurrentHashMap<>();
    /** File names served but left out of the file list (the siblings of the model info). */
    final Set<String> unlisted = ConcurrentHashMap.newKeySet();
    /** File names whose GET bodies are served with one byte flipped. */
    final Set<String> corrupt = ConcurrentHashMap.newKeySet();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-hub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Publishes the files of {@code dir} as {@code commit} of {@code repoId}, named by {@code revisions}. */
    void publish(String repoId, String commit, Path dir, String... revisions) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        publishFiles(repoId, commit, files, revisions);
    }

    /** Publishes {@code files} (name -> bytes, names as given, even hostile ones) as {@code commit} of {@code repoId}. */
    void publishFiles(String repoId, String commit, Map<String, byte[]> files, String... revisions) {
        commits.put(commit, files);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (isLfs(e.getKey())) {
                lfsBySha.put(sha256(e.getValue()), e.getValue());
            }
        }
        for (String r : revisions) {
            refs.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>()).put(r, commit);
        }
        refs.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>()).put(commit, commit);
    }

    long count(String method, String pathPart) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin");
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitSha1(byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
            for (Map.Entry<String, AtomicInteger> busy : busyLeft.entrySet()) {
                if (path.startsWith(busy.getKey()) && busy.getValue().getAndDecrement() > 0) {
                    ex.getResponseHeaders().add("Retry-After", "0");
                    error(ex, 503, "Overloaded");
                    return;
                }
            }
            if (path.startsWith("/cdn/")) {
                byte[] body = lfsBySha.get(path.substring(5));
                if (body == null) {
                    error(ex, 404, "EntryNotFound");
                } else {
                    serve(ex, body, null);
                }
                return;
            }
            if (requiredToken != null) {
                if (auth == null) {
                    error(ex, 401, "GatedRepo");
                    return;
                }
                if (!auth.equals("Bearer " + requiredToken)) {
                    error(ex, 403, "GatedRepo");
                    return;
                }
            }
            if (path.startsWith("/api/models/")) {
                String[] p = path.substring("/api/models/".length()).split("/", 4);
                if (p.length < 4 || !p[2].equals("revision")) {
                    error(ex, 404, "");
                    return;
                }
                String repo = p[0] + "/" + p[1];
                if (!refs.containsKey(repo)) {
                    error(ex, 404, "RepoNotFound");
                    return;
                }
                String commit = refs.get(repo).get(p[3]);
                if (commit == null) {
                    error(ex, 404, "RevisionNotFound");
                    return;
                }
                JsonObject o = new JsonObject();
                o.addProperty("id", repo);
                o.addProperty("sha", commit);
                JsonArray siblings = new JsonArray();
                for (String f : commits.get(commit).keySet()) {
                    if (unlisted.contains(f)) {
                        continue;
                    }
                    JsonObject s = new JsonObject();
                    s.addProperty("rfilename", f);
                    siblings.add(s);
                }
                o.add("siblings", siblings);
                byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            String[] p = path.substring(1).split("/", 5);
            if (p.length < 5 || !p[2].equals("resolve")) {
                error(ex, 404, "");
                return;
            }
            String repo = p[0] + "/" + p[1];
            String commit = refs.getOrDefault(repo, Map.of()).get(p[3]);
            if (commit == null) {
                error(ex, 404, refs.containsKey(repo) ? "RevisionNotFound" : "RepoNotFound");
                return;
            }
            String file = p[4];
            byte[] body = commits.get(commit).get(file);
            if (body == null) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", commit);
            if (isLfs(file)) {
                String sha = sha256(body);
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", Long.toString(body.length));
                ex.getResponseHeaders().set("ETag", "\"" + gitSha1(sha.getBytes(StandardCharsets.UTF_8)) + "\"");
                ex.getResponseHeaders().set("Location", endpoint() + "/cdn/" + sha);
                if (ex.getRequestMethod().equals("GET")) {
                    // the real hub redirects LFS downloads to its CDN; faults are injected on this hop
                    ex.getResponseHeaders().set("Location", endpoint() + "/cdn/" + sha + "?file=" + file);
                }
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + gitSha1(body) + "\"");
            serve(ex, body, file);
        }
    }

    private void serve(HttpExchange ex, byte[] body, String file) throws IOException {
        if (file == null) {
            String q = ex.getRequestURI().getQuery();
            file = q != null && q.startsWith("file=") ? q.substring(5) : "";
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        byte[] out = body;
        if (corrupt.contains(file)) {
            out = body.clone();
            out[out.length / 2] ^= 0x5a;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (rangeSupported && range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (out.length - 1) + "/" + out.length);
            ex.sendResponseHeaders(206, out.length - from);
        } else {
            ex.sendResponseHeaders(200, out.length);
        }
        OutputStream os = ex.getResponseBody();
        AtomicInteger drops = dropsLeft.get(file);
        if (drops != null && drops.getAndDecrement() > 0) {
            int half = from + (out.length - from) / 2;
            os.write(out, from, half - from);
            os.flush();
            // closing with bytes still owed makes the server drop the connection
            ex.close();
            return;
        }
        os.write(out, from, out.length - from);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        if (!code.isEmpty()) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
