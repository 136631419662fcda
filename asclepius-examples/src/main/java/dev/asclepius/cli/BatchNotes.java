package dev.asclepius.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.tasks.CorpusRun;
import dev.asclepius.tasks.NoteInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The notes still to run, read lazily; ids already in the output are skipped (and counted). */
abstract class BatchNotes implements Iterator<NoteInput>, AutoCloseable {
    private final Set<String> done;
    private final long remaining;
    private final long withoutId;
    private long skipped;
    private BatchLine next;
    private long yielded;
    /** Why the note at a run index is not usable, by the index CorpusRun gives it (the order it was yielded). */
    private final java.util.Map<Long, String> problems = new java.util.concurrent.ConcurrentHashMap<>();

    BatchNotes(Set<String> done, long remaining, long withoutId) {
        this.done = done;
        this.remaining = remaining;
        this.withoutId = withoutId;
    }

    long remaining() {
        return remaining;
    }

    long skipped() {
        return skipped;
    }

    /** Lines to run that have no id field (they run as line-N). */
    long withoutId() {
        return withoutId;
    }

    /** Why the note CorpusRun numbered {@code index} cannot be analysed, if its input line was unusable. */
    Optional<String> problem(long index) {
        return Optional.ofNullable(problems.get(index));
    }

    /** The next note of the input, skipped or not; null at the end. */
    abstract BatchLine read();

    @Override
    public boolean hasNext() {
        while (next == null) {
            BatchLine n = read();
            if (n == null) {
                return false;
            }
            if (done.contains(n.note().id())) {
                skipped++;
            } else {
                next = n;
            }
        }
        return true;
    }

    @Override
    public NoteInput next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        BatchLine n = next;
        next = null;
        long index = yielded++;
        n.problem().ifPresent(p -> problems.put(index, p));
        // An unusable line runs with no text: it fails at once, without the model, and its error line
        // carries the problem (see inputError).
        return n.problem().isPresent() ? new NoteInput(n.note().id(), null) : n.note();
    }

    @Override
    public void close() throws IOException {
    }

    static BatchNotes folder(Path dir, Set<String> done) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p))
                    .sorted().toList();
        }
        long remaining = files.stream().filter(p -> !done.contains(idOf(p))).count();
        Iterator<Path> it = files.iterator();
        return new BatchNotes(done, remaining, 0) {
            @Override
            BatchLine read() {
                if (!it.hasNext()) {
                    return null;
                }
                Path p = it.next();
                String id = idOf(p);
                if (done.contains(id)) {
                    return BatchLine.ok(new NoteInput(id, null));   // skipped: not read
                }
                try {
                    return BatchLine.ok(new NoteInput(id, Files.readString(p, StandardCharsets.UTF_8)));
                } catch (java.nio.charset.CharacterCodingException e) {
                    return BatchLine.bad(id, "file " + p.getFileName() + " is not valid UTF-8 text; convert it"
                            + " (e.g. iconv -f latin1 -t utf-8)");
                } catch (IOException e) {
                    return BatchLine.bad(id, "file " + p.getFileName() + " cannot be read: " + e.getMessage());
                }
            }
        };
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".txt".length());
    }

    static BatchNotes jsonl(Path file, String idField, String textField, Set<String> done) throws IOException {
        long remaining = 0;
        long withoutId = 0;
        try (BatchLineReader r = new BatchLineReader(file)) {
            byte[] bytes;
            while ((bytes = r.next()) != null) {
                if (isBlank(bytes)) {
                    continue;
                }
                BatchLine line = parse(bytes, r.number(), idField, textField);
                if (!done.contains(line.note().id())) {
                    remaining++;
                    withoutId += line.withoutId() ? 1 : 0;
                }
            }
        }
        BatchLineReader reader = new BatchLineReader(file);
        return new BatchNotes(done, remaining, withoutId) {
            @Override
            BatchLine read() {
                try {
                    byte[] bytes;
                    do {
                        bytes = reader.next();
                    } while (bytes != null && isBlank(bytes));
                    return bytes == null ? null : parse(bytes, reader.number(), idField, textField);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\f' && b != 0x0b) {
                return false;
            }
        }
        return true;
    }

    /**
     * One JSONL line (its raw bytes: each line is decoded on its own, so one bad byte spoils only its line)
     * as a note, or as the reason it is not one. The id is the id field's value, or {@code line-N} (N: the
     * 1-based line number) when the line has none or is not a JSON object.
     */
    static BatchLine parse(byte[] bytes, long number, String idField, String textField) {
        String fallback = "line-" + number;
        String utf8Problem = null;
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult result = decoder.decode(in, chars, true);
        if (result.isError()) {
            utf8Problem = "line " + number + " is not valid UTF-8 (bad byte 0x"
                    + String.format("%02x", bytes[in.position()] & 0xff) + " at byte " + (in.position() + 1)
                    + " of the line); save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)";
        }
        // Lossy decoding still finds the id of a line with a bad byte inside its text.
        String s = utf8Problem == null ? chars.flip().toString() : new String(bytes, StandardCharsets.UTF_8);
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(s);
            o = e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            o = null;
        }
        if (o == null) {
            return BatchLine.bad(fallback, utf8Problem != null ? utf8Problem
                    : "line " + number + " is not a JSON object; each line must be one object such as"
                    + " {\"" + idField + "\": \"...\", \"" + textField + "\": \"...\"}");
        }
        JsonElement id = o.get(idField);
        boolean noId = id == null || id.isJsonNull();
        if (!noId && !(id.isJsonPrimitive())) {
            return BatchLine.bad(fallback, "line " + number + ": field \"" + idField + "\" is " + kind(id)
                    + ", not a string or number; give each note a string id (or --id-field NAME)");
        }
        String idText = noId ? fallback : id.getAsString();
        if (utf8Problem != null) {
            return BatchLine.bad(idText, utf8Problem);
        }
        JsonElement text = o.get(textField);
        if (text == null) {
            return new BatchLine(new NoteInput(idText, null), Optional.of("line " + number + " has no \"" + textField
                    + "\" field (it has: " + String.join(", ", o.keySet()) + "); give the field that holds the"
                    + " note with --text-field NAME"), noId);
        }
        if (!text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
            return new BatchLine(new NoteInput(idText, null), Optional.of("line " + number + ": field \"" + textField
                    + "\" is " + kind(text) + ", not a string; the note text must be a JSON string (or give"
                    + " another field with --text-field NAME)"), noId);
        }
        return new BatchLine(new NoteInput(idText, text.getAsString()), Optional.empty(), noId);
    }

    private static String kind(JsonElement e) {
        if (e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        return e.getAsJsonPrimitive().isNumber() ? "a number" : e.getAsJsonPrimitive().isBoolean() ? "a boolean"
                : "a string";
    }
}
