package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code asclepius ...} line in the {@code sh} blocks of README.md and docs/*.md runs as written,
 * from the repository root, on the sample note that ships with the program. The program runs in this JVM
 * (as {@code java -jar asclepius.jar} and {@code bin/asclepius} would run it), and these substitutions
 * stand in for what a test cannot have:
 * <ul>
 *   <li>a real model ({@code /models/Asclepius-7B}, {@code starmpcc/Asclepius-7B}): a tiny random-weight model;</li>
 *   <li>a GPU ({@code --device gpu:0}): {@code --device cpu};</li>
 *   <li>a remote server ({@code http://gpu-box:8000}): {@code asclepius serve} of the random model on a free
 *       127.0.0.1 port, serving it under the name the command asks for;</li>
 *   <li>{@code serve}'s own address ({@code --host 0.0.0.0 --port 8000}): 127.0.0.1 and a free port; the
 *       server is stopped once it is listening;</li>
 *   <li>files the commands write ({@code --output}, {@code --out}, {@code /tmp/...}): a temporary folder;</li>
 *   <li>{@code "$KEY"}-style variables: a fixed value; environment assignments in front of a command
 *       ({@code ASCLEPIUS_API_KEY="$KEY" asclepius serve ...}) are dropped (serve on 127.0.0.1 needs no key).</li>
 * </ul>
 * docs/performance.md is left out: its commands are the benchmarks themselves (minutes each, models of
 * hundreds of MB) and are run by hand. Lines for other programs (mvn, curl, vllm, export) are not run.
 */
class DocsCommandsTest {
    private static final String JAR = "java -jar asclepius-examples/target/asclepius.jar ";
    private static final String SERVED = "starmpcc/Asclepius-7B";
    private static final Pattern ENV_PREFIX = Pattern.compile("^(?:[A-Za-z_]\\w*=(?:\"[^\"]*\"|'[^']*'|\\S*)\\s+)+(?=asclepius )");

    @TempDir
    Path tmp;

    record Command(String where, String text) {
    }

    /** The commands, in document order: README first, then docs/ by name. */
    static List<Command> commands(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals("performance.md"))
                    .sorted().forEach(files::add);
        }
        List<Command> commands = new ArrayList<>();
        for (Path file : files) {
            for (MarkdownBlocks.Block b : MarkdownBlocks.of(file)) {
                if (!b.language().equals("sh")) {
                    continue;
                }
                String joined = b.text().replace("\\\n", " ");
                int line = b.line();
                for (String l : joined.split("\n")) {
                    // Environment assignments in front (ASCLEPIUS_API_KEY="$KEY" asclepius serve ...) cannot
                    // apply to this JVM and are dropped; serve then binds 127.0.0.1, where it needs no key.
                    String t = ENV_PREFIX.matcher(l.strip()).replaceFirst("");
                    if (t.startsWith(JAR)) {
                        t = "asclepius " + t.substring(JAR.length());
                    }
                    if (t.startsWith("asclepius ")) {
                        commands.add(new Command(root.relativize(file) + ":" + line, t));
                    }
                    line++;
                }
            }
        }
        return commands;
    }

    /** Shell words: 'single' and "double" quotes, $VAR in double quotes and bare words; a # comment ends the line. */
    static List<String> words(String line, Map<String, String> env) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                w.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                w.append(expand(line.substring(i + 1, end), env));
                i = end;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '$') {
                int end = i + 1;
                while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
                    end++;
                }
                w.append(env.getOrDefault(line.substring(i + 1, end), ""));
                i = end - 1;
                inWord = true;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    private static String expand(String text, Map<String, String> env) {
        return Pattern.compile("\\$(\\w+)").matcher(text).replaceAll(m -> env.getOrDefault(m.group(1), ""));
    }

    @Test
    void environmentAssignmentsInFrontAreDropped() {
        assertThat(ENV_PREFIX.matcher("A=\"$KEY\" B=x asclepius serve --model m").replaceFirst(""))
                .isEqualTo("asclepius serve --model m");
        assertThat(ENV_PREFIX.matcher("export OPENAI_API_KEY=x").replaceFirst("")).isEqualTo("export OPENAI_API_KEY=x");
    }

    @Test
    void wordsSplitLikeAShell() {
        assertThat(words("asclepius run --question \"What is $X?\" --note 'a b.txt'  --json # comment", Map.of("X", "up")))
                .containsExactly("asclepius", "run", "--question", "What is up?", "--note", "a b.txt", "--json");
    }

    @Test
    void everyDocumentedCommandRunsAsWritten() throws Exception {
        Path root = MarkdownBlocks.repositoryRoot();
        List<Command> commands = commands(root);
        assertThat(commands).as("asclepius commands found in the docs").hasSizeGreaterThan(15);
        Path model = tmp.resolve("Asclepius-7B");
        // One small layer: the commands generate up to 400 tokens per question, and per-step cost is per layer.
        RandomModelWriter.write(model, new RandomModelSpec("llama", 32000, 32, 64, 1, 4, 4, 2048, false, StorageType.F32, 3, 0));
        Map<String, String> env = Map.of("KEY", "docs-test-key");
        List<String> failures = new ArrayList<>();
        try (ServeProcess server = new ServeProcess(model, SERVED)) {
            for (Command c : commands) {
                List<String> args = substitute(words(c.text(), env), root, model, server);
                String shown = c.where() + ": " + c.text();
                if (args.get(0).equals("serve")) {
                    String problem = serveStarts(args);
                    if (problem != null) {
                        failures.add(shown + "\n" + problem);
                    }
                    continue;
                }
                Cli cli = Cli.run(args.toArray(String[]::new));
                if (cli.exitCode() != 0) {
                    failures.add(shown + "\n  ran: " + args + "\n" + cli);
                }
            }
        }
        assertThat(failures).as("documented commands that failed").isEmpty();
    }

    /** The arguments after "asclepius", with the substitutions of the class comment. */
    private List<String> substitute(List<String> words, Path root, Path model, ServeProcess server) throws IOException {
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        boolean remote = args.contains("--remote");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String option = i > 0 ? args.get(i - 1) : "";
            if (option.equals("--model") && !remote && (a.equals("/models/Asclepius-7B") || a.equals(SERVED) || a.equals("/tmp/small"))) {
                args.set(i, a.equals("/tmp/small") ? tmpSmall(model).toString() : model.toString());
            } else if (option.equals("--device") && a.startsWith("gpu")) {
                args.set(i, "cpu");
            } else if (option.equals("--remote")) {
                args.set(i, server.base.toString());
            } else if (option.equals("--host")) {
                args.set(i, "127.0.0.1");
            } else if (option.equals("--port")) {
                args.set(i, "0");
            } else if (option.equals("--output") || option.equals("--out") || option.equals("--logits-out")
                    || option.equals("--to") || (option.equals("--model") && a.endsWith(".gguf"))) {
                // a converted GGUF file (convert --to, then --model FILE.gguf) lives in the temporary folder too
                args.set(i, tmp.resolve("out").resolve(Path.of(a).getFileName()).toString());
                Files.createDirectories(tmp.resolve("out"));
            } else if (!a.startsWith("-") && !a.startsWith("/") && Files.exists(root.resolve(a))) {
                args.set(i, root.resolve(a).toString());   // a path relative to the repository root
            }
        }
        return args;
    }

    /** /tmp/small in the docs: the benchmark model, written by random-model; here a copy of the tiny model. */
    private Path tmpSmall(Path model) throws IOException {
        Path small = tmp.resolve("out").resolve("small");
        if (!Files.exists(small)) {
            Files.createDirectories(small);
            try (Stream<Path> files = Files.list(model)) {
                for (Path f : files.toList()) {
                    Files.copy(f, small.resolve(f.getFileName()));
                }
            }
        }
        return small;
    }

    /** Starts {@code serve} in a thread, waits until it listens, stops it; null when all went well. */
    private static String serveStarts(List<String> args) throws InterruptedException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(AsclepiusCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                args.toArray(String[]::new))));
        t.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!out.toString().contains("http://127.0.0.1:")) {
            if (!t.isAlive() || System.nanoTime() > deadline) {
                t.interrupt();
                return "  ran: " + args + "\n  did not start: " + out + err;
            }
            Thread.sleep(20);
        }
        t.interrupt();
        t.join(10_000);
        return code.get() == 0 ? null : "  ran: " + args + "\n  exit " + code.get() + ": " + out + err;
    }
}
