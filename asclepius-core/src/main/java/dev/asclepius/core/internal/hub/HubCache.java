package dev.asclepius.core.internal.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.hub.HubException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One model repository in the Hugging Face hub cache, laid out as {@code huggingface_hub} (Python) lays it
 * out, so both share one cache:
 * <pre>
 * models--org--name/refs/&lt;revision&gt;              the commit hash the revision pointed at
 * models--org--name/blobs/&lt;etag&gt;                  file contents (etag: sha256 for LFS files, git sha1 otherwise)
 * models--org--name/blobs/&lt;etag&gt;.incomplete       a download in progress or interrupted
 * models--org--name/snapshots/&lt;commit&gt;/&lt;file&gt;    relative symlink to ../../blobs/&lt;etag&gt;
 * models--org--name/.no_exist/&lt;commit&gt;/&lt;file&gt;   empty marker: the repo has no such (optional) file
 * </pre>
 */
public final class HubCache {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    /** An ETag names a blob file: hex for the real hub; a mirror's may use a few more characters, never a separator. */
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_+=-]{0,254}");
    /** Longer than any real repository path; a bound on what a hostile endpoint can make us handle. */
    private static final int MAX_FILE_NAME = 1024;

    /** Files the loader needs besides the weights. */
    public static final List<String> REQUIRED = List.of("config.json", "tokenizer.json");
    /** Small files fetched when the repository has them; missing ones do not make the snapshot incomplete. */
    public static final List<String> OPTIONAL =
            List.of("generation_config.json", "tokenizer_config.json", "special_tokens_map.json");
    public static final String SAFETENSORS = "model.safetensors";
    public static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
    public static final String BIN = "pytorch_model.bin";
    public static final String BIN_INDEX = "pytorch_model.bin.index.json";

    private final Path root;
    private final Path repoDir;

    public HubCache(Path root, String repoId) {
        this.root = root;
        this.repoDir = root.resolve("models--" + repoId.replace("/", "--"));
    }

    /**
     * {@code name}, a file name the endpoint gave (a sibling of its file list, a shard of an index), when it is
     * a plain relative path of the repository: forward slashes between non-empty segments, no {@code .} or
     * {@code ..} segment, no leading slash, no backslash, drive colon or control character. Such a name can
     * only ever resolve inside a snapshot folder; anything else is refused before anything is written.
     *
     * @throws HubException naming the file and the endpoint's fault
     */
    public static String checkRepoFile(String name, String source) {
        String why = null;
        if (name == null || name.isEmpty()) {
            why = "it is empty";
        } else if (name.length() > MAX_FILE_NAME) {
            why = "it is longer than " + MAX_FILE_NAME + " characters";
        } else if (name.startsWith("/")) {
            why = "it is an absolute path";
        } else if (name.indexOf('\\') >= 0) {
            why = "it contains a backslash";
        } else if (name.indexOf(':') >= 0) {
            why = "it contains a colon (a drive letter or stream name on Windows)";
        } else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            why = "it contains a control character";
        } else {
            for (String segment : name.split("/", -1)) {
                if (segment.isEmpty()) {
                    why = "it has an empty path segment";
                } else if (segment.equals(".") || segment.equals("..")) {
                    why = "it has a '" + segment + "' path segment";
                }
                if (why != null) {
                    break;
                }
            }
        }
        if (why != null) {
            throw new HubException(source + " names the file \"" + printable(name) + "\", which is not a file of a"
                    + " model repository (" + why + "); refusing it before writing anything. The endpoint is"
                    + " broken or hostile: check HF_ENDPOINT or the builder's endpoint(...)");
        }
        return name;
    }

    /** {@code etag} when it can name a blob file; otherwise a HubException. */
    public static String checkEtag(String etag, String what) {
        if (etag == null || !ETAG.matcher(etag).matches()) {
            throw new HubException("The hub gave no usable ETag for " + what + " (" + (etag == null ? "none"
                    : "\"" + printable(etag) + "\"") + "); cannot place it in the cache");
        }
        return etag;
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return s.length() > 200 ? out + "..." : out.toString();
    }

    /**
     * {@code snapshots/<commit>/<file>}, checked: the name is a repository path and the result lies inside
     * the snapshot folder (a second guard, should a check upstream ever be missed).
     */
    public Path snapshotFile(String commit, String file) {
        if (!isCommit(commit)) {
            throw new HubException("\"" + printable(commit) + "\" is not a commit hash; cannot place files for it");
        }
        Path snap = snapshot(commit).toAbsolutePath().normalize();
        Path target = snap.resolve(checkRepoFile(file, "The hub")).normalize();
        if (!target.startsWith(snap) || target.equals(snap)) {
            throw new HubException("The file \"" + printable(file) + "\" would be placed outside " + snap + "; refused");
        }
        return target;
    }

    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    public Path root() {
        return root;
    }

    public Path repoDir() {
        return repoDir;
    }

    public Path snapshot(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    public Path blob(String etag) {
        return repoDir.resolve("blobs").resolve(checkEtag(etag, "a blob"));
    }

    public Path incomplete(String etag) {
        return repoDir.resolve("blobs").resolve(checkEtag(etag, "a blob") + ".incomplete");
    }

    /** The commit {@code revision} names: itself when it is a 40-hex commit, else what {@code refs/<revision>} holds. */
    public Optional<String> commitFor(String revision) {
        if (isCommit(revision)) {
            return Optional.of(revision);
        }
        Path ref = repoDir.resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            return isCommit(commit) ? Optional.of(commit) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * What the snapshot of {@code commit} lacks for the loader: {@code config.json}, {@code tokenizer.json} and
     * the weights (a single file, or an index and every shard it names). Empty when it can be loaded as is.
     */
    public List<String> missing(String commit) {
        Path snap = snapshot(commit);
        List<String> missing = new ArrayList<>();
        for (String f : REQUIRED) {
            if (!Files.isRegularFile(snap.resolve(f))) {
                missing.add(f);
            }
        }
        if (Files.isRegularFile(snap.resolve(SAFETENSORS_INDEX))) {
            missingShards(snap, SAFETENSORS_INDEX, missing);
        } else if (Files.isRegularFile(snap.resolve(SAFETENSORS))) {
            // complete
        } else if (Files.isRegularFile(snap.resolve(BIN_INDEX))) {
            missingShards(snap, BIN_INDEX, missing);
        } else if (!Files.isRegularFile(snap.resolve(BIN))) {
            missing.add("weights (" + SAFETENSORS + ", " + SAFETENSORS_INDEX + ", " + BIN + " or " + BIN_INDEX + ")");
        }
        return missing;
    }

    private static void missingShards(Path snap, String index, List<String> missing) {
        Set<String> shards;
        try {
            shards = shardsOf(Files.readString(snap.resolve(index), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            missing.add(index + " (unreadable: " + e.getMessage() + ")");
            return;
        }
        for (String s : shards) {
            if (!Files.isRegularFile(snap.resolve(s))) {
                missing.add(s);
            }
        }
    }

    /** The shard file names a {@code *.index.json} maps tensors to, in first-seen order. */
    public static Set<String> shardsOf(String indexJson) {
        JsonObject o = JsonParser.parseString(indexJson).getAsJsonObject();
        JsonObject map = o.getAsJsonObject("weight_map");
        if (map == null) {
            throw new IllegalArgumentException("no \"weight_map\" object");
        }
        Set<String> shards = new LinkedHashSet<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            shards.add(e.getValue().getAsString());
        }
        return shards;
    }

    /** Points {@code refs/<revision>} at {@code commit} (written to a temp file, then renamed over). */
    public void writeRef(String revision, String commit) throws IOException {
        Path ref = repoDir.resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Marks {@code file} as absent from the repository at {@code commit}. */
    public void markNoExist(String commit, String file) {
        try {
            Path marker = repoDir.resolve(".no_exist").resolve(commit).resolve(file);
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (IOException e) {
            // only a hint for later runs
        }
    }

    /**
     * Makes {@code snapshots/<commit>/<file>} a relative symlink to {@code blobs/<etag>}; where the file
     * system has no symlinks, a copy (written beside it, then renamed into place).
     */
    public Path link(String commit, String file, String etag) throws IOException {
        Path target = snapshotFile(commit, file);
        Files.createDirectories(target.getParent());
        Path blob = blob(etag);
        Path relative = target.getParent().relativize(blob);
        if (Files.isSymbolicLink(target) || Files.exists(target)) {
            Files.delete(target);
        }
        try {
            Files.createSymbolicLink(target, relative);
        } catch (FileAlreadyExistsException e) {
            // another process linked it first
        } catch (UnsupportedOperationException | IOException e) {
            Path tmp = Files.createTempFile(target.getParent(), ".copy", ".tmp");
            try {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
                moveAtomically(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return target;
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
