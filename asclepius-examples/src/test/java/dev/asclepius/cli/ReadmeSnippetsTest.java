package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The README's Java quick start as a user pastes it: every {@code java} block is a whole source file that
 * compiles against the SDK (this test's class path: the modules as built) and runs on a random-weight model
 * and the sample note; the consumer {@code pom.xml} names this build's version, pins the compiler plugin
 * and binds SLF4J. Maven itself is not run here (the artifacts are not installed while the build tests).
 */
class ReadmeSnippetsTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern CLASS = Pattern.compile("^public (?:final )?class (\\w+)", Pattern.MULTILINE);

    @TempDir
    static Path tmp;

    static Path root;
    static List<MarkdownBlocks.Block> blocks;
    static List<String> classes = new ArrayList<>();
    static URLClassLoader loader;
    static Path model;

    @BeforeAll
    static void compileTheJavaBlocks() throws IOException {
        root = MarkdownBlocks.repositoryRoot();
        blocks = MarkdownBlocks.of(root.resolve("README.md"));
        Path src = tmp.resolve("src");
        List<Path> files = new ArrayList<>();
        for (MarkdownBlocks.Block b : blocks) {
            if (!b.language().equals("java")) {
                continue;
            }
            Matcher p = PACKAGE.matcher(b.text());
            Matcher c = CLASS.matcher(b.text());
            assertThat(p.find() && c.find()).as("README.md:%d is not a whole source file (package and public class)",
                    b.line()).isTrue();
            Path file = src.resolve(p.group(1).replace('.', '/')).resolve(c.group(1) + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, b.text(), StandardCharsets.UTF_8);
            files.add(file);
            classes.add(p.group(1) + "." + c.group(1));
        }
        assertThat(classes).as("java blocks in README.md").hasSizeGreaterThanOrEqualTo(3);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createDirectories(tmp.resolve("classes"));
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, fm, diagnostics, List.of("--release", "17", "-classpath",
                    System.getProperty("java.class.path"), "-d", out.toString(), "-Xlint:all", "-proc:none"), null,
                    fm.getJavaFileObjectsFromPaths(files)).call();
            List<String> problems = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING
                            || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING)
                    .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                    .toList();
            assertThat(problems).as("javac on the README's java blocks").isEmpty();
            assertThat(ok).isTrue();
        }
        loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, ReadmeSnippetsTest.class.getClassLoader());
        model = tmp.resolve("model");
        RandomModelWriter.write(model, new RandomModelSpec("llama", 32000, 32, 64, 1, 4, 4, 2048, false, StorageType.F32, 11, 0));
    }

    /** Runs {@code main(args)} of a compiled README class and returns what it printed on stdout and stderr. */
    private static String[] runMain(String className, String... args) throws Exception {
        Method main = loader.loadClass(className).getMethod("main", String[].class);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    private static String sampleNote() {
        return root.resolve("asclepius-examples/samples/discharge-summary.txt").toString();
    }

    @Test
    void quickStartRunsAndPrintsTheAnswersOwnTokenCount() throws Exception {
        String[] printed = runMain("example.QuickStartApp", model.toString(), sampleNote());
        Matcher m = Pattern.compile("\\((\\d+) tokens generated\\)\\s*$").matcher(printed[0]);
        assertThat(m.find()).as(printed[0]).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isBetween(1, 400);   // the answer's tokens, within its budget
    }

    @Test
    void analyzeAndGenerateExamplesRun() throws Exception {
        String[] analyze = runMain("example.AnalyzeApp", model.toString(), sampleNote());
        assertThat(analyze[0]).containsPattern("\\d+ tokens generated");
        String[] generate = runMain("example.GenerateApp", model.toString(), sampleNote());
        assertThat(generate[0]).containsPattern("\\d+ tokens, [A-Z_]+\\s*$");
        assertThat(generate[1]).contains("loading weights:").contains("done");
    }

    @Test
    void sampleNoteShipsWithTheProgram() {
        assertThat(Path.of(sampleNote())).isRegularFile();
        assertThat(root.resolve("asclepius-examples/src/assembly/dir.xml")).content().contains("<directory>samples</directory>");
    }

    @Test
    void consumerPomIsCompleteForThisBuild() throws Exception {
        String pom = blocks.stream().filter(b -> b.language().equals("xml") && b.text().contains("<project"))
                .map(MarkdownBlocks.Block::text).findFirst().orElseThrow();
        Document consumer = parse(pom);
        Document parent = parse(Files.readString(root.resolve("pom.xml")));
        String version = text(parent.getDocumentElement(), "version");

        Element tasks = dependency(consumer, "dev.asclepius", "asclepius-tasks");
        assertThat(text(tasks, "version")).isEqualTo(version);
        Element binding = dependency(consumer, "org.slf4j", "slf4j-simple");
        assertThat(text(binding, "version")).isEqualTo(text(parent.getDocumentElement(), "slf4j.version"));
        assertThat(text(consumer.getDocumentElement(), "maven.compiler.release")).isEqualTo("17");

        Element compiler = plugin(consumer, "maven-compiler-plugin");
        assertThat(text(compiler, "version")).matches("3\\.(1[1-9]|[2-9]\\d)\\..*");   // 3.11+ knows --release 17
        Element exec = plugin(consumer, "exec-maven-plugin");
        assertThat(text(exec, "version")).isNotEmpty();
        assertThat(classes).contains(text(exec, "mainClass"));

        String logging = blocks.stream().filter(b -> b.language().equals("properties")).map(MarkdownBlocks.Block::text)
                .findFirst().orElseThrow();
        assertThat(logging).contains("org.slf4j.simpleLogger.defaultLogLevel=warn")
                .contains("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error");
        String shell = String.join("\n", blocks.stream().filter(b -> b.language().equals("sh")).map(MarkdownBlocks.Block::text).toList());
        assertThat(shell).contains("mvn -B -q install -DskipTests").contains("mvn -q compile exec:java");
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    /** Text of the first descendant named {@code tag}, or "". */
    private static String text(Element in, String tag) {
        NodeList nodes = in.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }

    private static Element dependency(Document pom, String groupId, String artifactId) {
        NodeList deps = pom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (text(d, "groupId").equals(groupId) && text(d, "artifactId").equals(artifactId)) {
                return d;
            }
        }
        throw new AssertionError("the README's pom.xml has no dependency " + groupId + ":" + artifactId);
    }

    private static Element plugin(Document pom, String artifactId) {
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            if (text(p, "artifactId").equals(artifactId)) {
                return p;
            }
        }
        throw new AssertionError("the README's pom.xml has no plugin " + artifactId);
    }
}
