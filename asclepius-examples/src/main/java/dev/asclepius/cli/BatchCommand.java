package dev.asclepius.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.CorpusProgress;
import dev.asclepius.tasks.CorpusRun;
import dev.asclepius.tasks.NoteInput;
import dev.asclepius.tasks.NoteResult;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code asclepius batch}: chosen tasks over a corpus of notes (JSONL or a folder of .txt files) into a
 * JSONL file, one complete line per note, resumable.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Run tasks over many notes (a JSONL file or a folder of .txt files) and write one JSON line "
                + "per note to --output. A rerun skips the note ids already in the output (error lines included, "
                + "unless --retry-errors) and appends; a line cut by a kill is dropped first."})
final class BatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--tasks", required = true, split = ",", paramLabel = "TASK[,TASK...]",
            description = "entities, abbreviations, relations, timeline, coreferences, paraphrase, summary, ask "
                    + "(ask needs --question).")
    List<String> tasks;

    @Option(names = "--question", paramLabel = "TEXT", description = "A question asked of every note (repeatable).")
    List<String> questions = new ArrayList<>();

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl|DIR",
            description = "JSONL with one note per line ({\"id\": ..., \"text\": ...}), or a folder of .txt files "
                    + "(id: the file name without .txt; sorted by name).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl", description = "Results, one JSON line per note (appended to).")
    Path output;

    @Option(names = "--id-field", defaultValue = "id", paramLabel = "NAME", description = "JSONL field with the note id (default: ${DEFAULT-VALUE}).")
    String idField;

    @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME", description = "JSONL field with the note text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--max-new-tokens", defaultValue = "400", paramLabel = "N", description = "Token budget per question (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N", description = "Notes analysed at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--retry-errors", description = "On a rerun, drop the error lines of the output and run those notes again.")
    boolean retryErrors;

    @Option(names = "--fail-on-error",
            description = "Exit with code 1 when any note of this run failed (an error line was written); by default the"
                    + " exit code is 0 once the run completes.")
    boolean failOnError;

    @Option(names = "--progress-every", defaultValue = "100", paramLabel = "N",
            description = "Without a terminal: a progress line every N notes or 10 s, whichever comes first (default: ${DEFAULT-VALUE}).")
    int progressEvery;

    @Override
    public Integer call() throws IOException {
        // Check everything the user typed before the model loads.
        Set<Task> taskSet = EnumSet.noneOf(Task.class);
        tasks.forEach(t -> taskSet.add(Task.parse(t)));
        if (taskSet.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
            throw new InvalidInputException("--tasks ask needs --question \"...\"");
        }
        if (maxNewTokens < 1 || workers < 1 || progressEvery < 1) {
            throw new InvalidInputException("--max-new-tokens, --workers and --progress-every must be >= 1");
        }
        if (!Files.exists(input)) {
            throw new InvalidInputException("The input " + input + " does not exist.");
        }
        if (Files.isDirectory(output)) {
            throw new InvalidInputException("The output " + output + " is a folder: give a .jsonl file.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        Resume resume = Resume.prepare(output, retryErrors);
        if (resume.droppedPartial()) {
            err.println("output: dropped a cut last line (interrupted run); its note runs again");
        }
        if (resume.droppedErrors() > 0) {
            err.println("output: dropped " + resume.droppedErrors() + " error line(s) to retry them");
        }
        Set<String> done = resume.ids();
        Notes notes = Files.isDirectory(input) ? Notes.folder(input, done) : Notes.jsonl(input, idField, textField, done);

        GenerationConfig generation = GenerationConfig.builder().maxNewTokens(maxNewTokens).build();
        Progress progress = new Progress(err, System.console() != null, progressEvery);
        CorpusProgress summary;
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (AsclepiusClient client = AsclepiusClient.builder().model(modelOptions.load()).closeModel(true)
                .generation(generation).build();
             OutputStream sink = new FileOutputStream(output.toFile(), true);
             notes) {
            CorpusRun run = CorpusRun.builder(client).tasks(taskSet).questions(questions).workers(workers)
                    .listener(progress).build();
            if (notes.withoutId() > 0) {
                err.println("input: " + notes.withoutId() + " line(s) have no \"" + idField + "\" field; they run with"
                        + " the id line-N (N: the line number). If the ids are in another field, give --id-field NAME.");
            }
            summary = run.run(notes, OptionalLong.of(notes.remaining()), result -> {
                // One write of the whole line, then flush: a kill leaves whole lines plus at most one cut tail.
                Optional<String> problem = notes.problem(result.index());
                JsonObject json = problem.isPresent() ? inputError(result, problem.get()) : line(result, taskSet);
                byte[] line = (Json.GSON.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
                try {
                    sink.write(line);
                    sink.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        progress.finish(summary);
        out.printf(Locale.ROOT, "notes: %d, ok: %d, errors: %d, skipped (already in output): %d, time: %.2f s, "
                        + "%.2f notes/s, %.1f tokens/s (%d generated)%n",
                summary.done(), summary.ok(), summary.errors(), notes.skipped(), summary.elapsed().toNanos() / 1e9,
                summary.notesPerSecond(), summary.tokensPerSecond(), summary.generatedTokens());
        out.flush();
        if (failOnError && summary.errors() > 0) {
            err.println("--fail-on-error: " + summary.errors() + " note(s) failed; see the error lines in " + output);
            err.flush();
            return 1;
        }
        return 0;
    }

    /** The error line of an input line that is not a usable note (not UTF-8, not JSON, no text field, ...). */
    static JsonObject inputError(NoteResult result, String problem) {
        JsonObject o = new JsonObject();
        o.addProperty("id", result.id());
        JsonObject e = new JsonObject();
        e.addProperty("type", "InvalidInputException");
        e.addProperty("message", problem);
        o.add("error", e);
        o.addProperty("note_seconds", seconds(result.elapsed()));
        return o;
    }

    /** One output line: the note id and either every task's result or the error. */
    static JsonObject line(NoteResult result, Set<Task> taskSet) {
        JsonObject o = new JsonObject();
        o.addProperty("id", result.id());
        if (result instanceof NoteResult.Failure f) {
            JsonObject e = new JsonObject();
            e.addProperty("type", f.errorType());
            e.addProperty("message", f.message());
            o.add("error", e);
            o.addProperty("note_seconds", seconds(f.elapsed()));
            return o;
        }
        Analysis a = ((NoteResult.Success) result).analysis();
        JsonObject results = new JsonObject();
        put(results, Task.ENTITIES, a.entities());
        put(results, Task.ABBREVIATIONS, a.abbreviations());
        put(results, Task.RELATIONS, a.relations());
        put(results, Task.TIMELINE, a.timeline());
        put(results, Task.COREFERENCES, a.coreferences());
        put(results, Task.PARAPHRASE, a.paraphrase());
        put(results, Task.SUMMARY, a.summary());
        o.add("results", results);
        JsonArray answers = new JsonArray();
        for (TaskResult<?> answer : a.answers()) {
            JsonObject x = TaskJson.result(Task.QUESTION_ANSWERING, answer);
            x.addProperty("question", answer.instruction());
            answers.add(x);
        }
        o.add("answers", answers);
        o.addProperty("prompt_tokens", result.promptTokens());
        o.addProperty("generated_tokens", result.generatedTokens());
        o.addProperty("analysis_seconds", seconds(a.wallTime()));
        o.addProperty("note_seconds", seconds(result.elapsed()));
        return o;
    }

    private static void put(JsonObject results, Task task, Optional<? extends TaskResult<?>> result) {
        result.ifPresent(r -> results.add(TaskJson.name(task), TaskJson.result(task, r)));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    // ---- resume

    /** The ids already in the output, after repairing a cut last line (and dropping error lines to retry). */
    record Resume(Set<String> ids, boolean droppedPartial, int droppedErrors) {
        static Resume prepare(Path output, boolean retryErrors) throws IOException {
            Set<String> ids = new HashSet<>();
            if (!Files.exists(output)) {
                return new Resume(ids, false, 0);
            }
            boolean droppedPartial = dropCutTail(output);
            int droppedErrors = 0;
            List<String> kept = retryErrors ? new ArrayList<>() : null;
            try (BufferedReader reader = Files.newBufferedReader(output, StandardCharsets.UTF_8)) {
                String lineText;
                int number = 0;
                while ((lineText = reader.readLine()) != null) {
                    number++;
                    if (lineText.isBlank()) {
                        continue;
                    }
                    JsonObject o;
                    try {
                        o = JsonParser.parseString(lineText).getAsJsonObject();
                    } catch (JsonParseException | IllegalStateException e) {
                        throw new InvalidInputException("The output " + output + " has a line that is not JSON (line "
                                + number + "): not written by batch? Give another --output.");
                    }
                    if (!o.has("id") || o.get("id").isJsonNull()) {
                        throw new InvalidInputException("The output " + output + " has a line without \"id\" (line "
                                + number + "): not written by batch? Give another --output.");
                    }
                    if (retryErrors && o.has("error")) {
                        droppedErrors++;
                        continue;
                    }
                    ids.add(o.get("id").getAsString());
                    if (kept != null) {
                        kept.add(lineText);
                    }
                }
            }
            if (droppedErrors > 0) {
                Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
                Files.write(tmp, kept, StandardCharsets.UTF_8);
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Resume(ids, droppedPartial, droppedErrors);
        }

        /** Truncates the file after its last newline; true if there was something after it. */
        private static boolean dropCutTail(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = ch.size();
                long pos = size;
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(8192);
                while (pos > 0) {
                    int n = (int) Math.min(one.capacity(), pos);
                    one.clear().limit(n);
                    ch.read(one, pos - n);
                    for (int i = n - 1; i >= 0; i--) {
                        if (one.get(i) == '\n') {
                            long keep = pos - n + i + 1;
                            if (keep < size) {
                                ch.truncate(keep);
                                return true;
                            }
                            return false;
                        }
                    }
                    pos -= n;
                }
                if (size > 0) {
                    ch.truncate(0);   // one cut line and nothing else
                    return true;
                }
                return false;
            }
        }
    }

    // ---- input

    /** The notes still to run, read lazily; ids already in the output are skipped (and counted). */
    abstract static class Notes implements Iterator<NoteInput>, AutoCloseable {
        private final Set<String> done;
        private final long remaining;
        private final long withoutId;
        private long skipped;
        private Line next;
        private long yielded;
        /** Why the note at a run index is not usable, by the index CorpusRun gives it (the order it was yielded). */
        private final java.util.Map<Long, String> problems = new java.util.concurrent.ConcurrentHashMap<>();

        Notes(Set<String> done, long remaining, long withoutId) {
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
        abstract Line read();

        @Override
        public boolean hasNext() {
            while (next == null) {
                Line n = read();
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
            Line n = next;
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

        static Notes folder(Path dir, Set<String> done) throws IOException {
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p))
                        .sorted().toList();
            }
            long remaining = files.stream().filter(p -> !done.contains(idOf(p))).count();
            Iterator<Path> it = files.iterator();
            return new Notes(done, remaining, 0) {
                @Override
                Line read() {
                    if (!it.hasNext()) {
                        return null;
                    }
                    Path p = it.next();
                    String id = idOf(p);
                    if (done.contains(id)) {
                        return Line.ok(new NoteInput(id, null));   // skipped: not read
                    }
                    try {
                        return Line.ok(new NoteInput(id, Files.readString(p, StandardCharsets.UTF_8)));
                    } catch (java.nio.charset.CharacterCodingException e) {
                        return Line.bad(id, "file " + p.getFileName() + " is not valid UTF-8 text; convert it"
                                + " (e.g. iconv -f latin1 -t utf-8)");
                    } catch (IOException e) {
                        return Line.bad(id, "file " + p.getFileName() + " cannot be read: " + e.getMessage());
                    }
                }
            };
        }

        private static String idOf(Path file) {
            String name = file.getFileName().toString();
            return name.substring(0, name.length() - ".txt".length());
        }

        static Notes jsonl(Path file, String idField, String textField, Set<String> done) throws IOException {
            long remaining = 0;
            long withoutId = 0;
            try (LineReader r = new LineReader(file)) {
                byte[] bytes;
                while ((bytes = r.next()) != null) {
                    if (isBlank(bytes)) {
                        continue;
                    }
                    Line line = parse(bytes, r.number(), idField, textField);
                    if (!done.contains(line.note().id())) {
                        remaining++;
                        withoutId += line.withoutId() ? 1 : 0;
                    }
                }
            }
            LineReader reader = new LineReader(file);
            return new Notes(done, remaining, withoutId) {
                @Override
                Line read() {
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
        static Line parse(byte[] bytes, long number, String idField, String textField) {
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
                return Line.bad(fallback, utf8Problem != null ? utf8Problem
                        : "line " + number + " is not a JSON object; each line must be one object such as"
                        + " {\"" + idField + "\": \"...\", \"" + textField + "\": \"...\"}");
            }
            JsonElement id = o.get(idField);
            boolean noId = id == null || id.isJsonNull();
            if (!noId && !(id.isJsonPrimitive())) {
                return Line.bad(fallback, "line " + number + ": field \"" + idField + "\" is " + kind(id)
                        + ", not a string or number; give each note a string id (or --id-field NAME)");
            }
            String idText = noId ? fallback : id.getAsString();
            if (utf8Problem != null) {
                return Line.bad(idText, utf8Problem);
            }
            JsonElement text = o.get(textField);
            if (text == null) {
                return new Line(new NoteInput(idText, null), Optional.of("line " + number + " has no \"" + textField
                        + "\" field (it has: " + String.join(", ", o.keySet()) + "); give the field that holds the"
                        + " note with --text-field NAME"), noId);
            }
            if (!text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
                return new Line(new NoteInput(idText, null), Optional.of("line " + number + ": field \"" + textField
                        + "\" is " + kind(text) + ", not a string; the note text must be a JSON string (or give"
                        + " another field with --text-field NAME)"), noId);
            }
            return new Line(new NoteInput(idText, text.getAsString()), Optional.empty(), noId);
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

    /** One input note, or the reason its line is not usable; whether its line had no id field. */
    record Line(NoteInput note, Optional<String> problem, boolean withoutId) {
        static Line ok(NoteInput note) {
            return new Line(note, Optional.empty(), false);
        }

        static Line bad(String id, String problem) {
            return new Line(new NoteInput(id, null), Optional.of(problem), false);
        }
    }

    /**
     * The lines of a file as raw bytes (without the \n and a \r before it), numbered from 1: decoding is left
     * to each line, so one bad byte spoils only its own line.
     */
    static final class LineReader implements AutoCloseable {
        private final java.io.InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private long number;

        LineReader(Path file) throws IOException {
            in = Files.newInputStream(file);
        }

        /** The next line's bytes, or null at the end of the file. */
        byte[] next() throws IOException {
            line.reset();
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        if (!any) {
                            return null;
                        }
                        break;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                line.write(buffer, start, position - start);
                if (position < limit) {
                    position++;   // the \n
                    break;
                }
            }
            number++;
            byte[] bytes = line.toByteArray();
            int n = bytes.length;
            return n > 0 && bytes[n - 1] == '\r' ? java.util.Arrays.copyOf(bytes, n - 1) : bytes;
        }

        long number() {
            return number;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    // ---- progress

    /** A bar rewritten with \r on a terminal; otherwise a line every N notes or 10 s. */
    static final class Progress implements dev.asclepius.tasks.CorpusListener {
        private static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;
        private final PrintWriter err;
        private final boolean terminal;
        private final int every;
        private long lastLine = System.nanoTime();
        private long lastBar;
        private boolean barShown;
        private long printedDone = -1;

        Progress(PrintWriter err, boolean terminal, int every) {
            this.err = err;
            this.terminal = terminal;
            this.every = every;
        }

        @Override
        public void noteDone(NoteResult result, CorpusProgress p) {
            long now = System.nanoTime();
            if (terminal) {
                if (now - lastBar >= 100_000_000L || p.fraction().orElse(0.0) >= 1.0) {   // at most 10 redraws/s
                    lastBar = now;
                    barShown = true;
                    err.print("\r" + bar(p) + "\u001b[K");
                    err.flush();
                }
            } else if (p.done() % every == 0 || now - lastLine >= PLAIN_INTERVAL_NANOS) {
                lastLine = now;
                printedDone = p.done();
                err.println(text(p));
                err.flush();
            }
        }

        void finish(CorpusProgress p) {
            if (terminal && barShown) {
                err.print("\r" + bar(p) + "\u001b[K\n");
                err.flush();
            } else if (!terminal && p.done() > 0 && printedDone != p.done()) {
                err.println(text(p));   // the last count, when the periodic lines stopped short of it
                err.flush();
            }
        }

        static String bar(CorpusProgress p) {
            int width = 24;
            int filled = (int) Math.round(p.fraction().orElse(0.0) * width);
            return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + text(p);
        }

        static String text(CorpusProgress p) {
            String total = p.total().isPresent() ? "/" + p.total().getAsLong() : "";
            String eta = p.eta().map(d -> ", ETA " + clock(d)).orElse("");
            return String.format(Locale.ROOT, "%d%s notes (%d errors), %.2f notes/s, %.1f tokens/s%s",
                    p.done(), total, p.errors(), p.notesPerSecond(), p.tokensPerSecond(), eta);
        }

        static String clock(Duration d) {
            long s = d.toSeconds();
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
