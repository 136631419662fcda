package dev.asclepius.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API check itself: two versions of a small module are compiled here, and the check of the second
 * against the first's baseline must fail on a removed method and on a changed signature, name them, and say
 * how to update; it must pass on identical code and leave internal or qualified-export packages out.
 */
class ApiDumpTest {
    private static final String MODULE = "module demo.api { exports demo.api; exports demo.api.hidden to other.module; }";
    private static final String HIDDEN = "package demo.api.hidden; public class Hidden { public void x() {} }";
    private static final String V1 = """
            package demo.api;
            import java.util.*;
            public final class Greeter {
                public Greeter() {}
                public String greet(String name) { return "Hello " + name; }
                public static <T extends Comparable<T>> List<T> sorted(Collection<? extends T> in) { return new ArrayList<>(in); }
                protected int count() { return 0; }
                int packagePrivate() { return 0; }
                public record Pair<A, B>(A first, B second) {}
                static final class Helper { public void help() {} }
            }
            """;
    /** greet removed, sorted returns a Set, a method added. */
    private static final String V2 = """
            package demo.api;
            import java.util.*;
            public final class Greeter {
                public Greeter() {}
                public static <T extends Comparable<T>> Set<T> sorted(Collection<? extends T> in) { return new TreeSet<>(in); }
                protected int count() { return 0; }
                public int added() { return 1; }
                public record Pair<A, B>(A first, B second) {}
            }
            """;

    @TempDir
    Path tmp;
    private String updateSetting;

    @BeforeEach
    void checkMode() {
        // These tests decide the mode themselves, also when the build runs with -Dapi.update=true.
        updateSetting = System.getProperty(ApiDump.UPDATE_PROPERTY);
        System.clearProperty(ApiDump.UPDATE_PROPERTY);
    }

    @AfterEach
    void restoreMode() {
        if (updateSetting != null) {
            System.setProperty(ApiDump.UPDATE_PROPERTY, updateSetting);
        }
    }

    private Path compile(String name, String greeter) throws IOException {
        Path src = tmp.resolve(name + "-src");
        Path out = tmp.resolve(name + "-classes");
        Map<String, String> files = Map.of("module-info.java", MODULE, "demo/api/Greeter.java", greeter,
                "demo/api/hidden/Hidden.java", HIDDEN);
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-nowarn", "--release", "17"));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = src.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            args.add(p.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac exit code").isZero();
        return out;
    }

    private static List<String> dump(Path classes) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null)) {
            return ApiDump.dump(classes, loader);
        }
    }

    @Test
    void listsPublicAndProtectedSignaturesOfUnqualifiedExportsOnly() throws IOException {
        List<String> api = dump(compile("v1", V1));
        assertThat(api).contains(
                "public final class demo.api.Greeter",
                "  public java.lang.String demo.api.Greeter.greet(java.lang.String)",
                "  public static <T extends java.lang.Comparable<T>> java.util.List<T> "
                        + "demo.api.Greeter.sorted(java.util.Collection<? extends T>)",
                "  protected int demo.api.Greeter.count()",
                "public static final record demo.api.Greeter$Pair<A,B>",
                "  public A demo.api.Greeter$Pair.first()");
        assertThat(String.join("\n", api)).doesNotContain("packagePrivate", "Helper", "Hidden");
        assertThat(ApiDump.exportedPackages(tmp.resolve("v1-classes"))).containsExactly("demo.api");
    }

    @Test
    void aRemovedOrChangedMethodFailsTheCheckWithTheDifferenceAndTheUpdateCommand() throws IOException {
        Path moduleDir = tmp.resolve("module");
        Path baseline = moduleDir.resolve("api/demo.api");
        Files.createDirectories(baseline.getParent());
        Files.write(moduleDir.resolve("api/demo.api"), dump(compile("v1", V1)), StandardCharsets.UTF_8);
        Path v2 = compile("v2", V2);

        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {v2.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> ApiDump.check(moduleDir, "demo", v2, loader))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("- public java.lang.String demo.api.Greeter.greet(java.lang.String)")
                    .hasMessageContaining("- public static <T extends java.lang.Comparable<T>> java.util.List<T>")
                    .hasMessageContaining("+ public static <T extends java.lang.Comparable<T>> java.util.Set<T>")
                    .hasMessageContaining("+ public int demo.api.Greeter.added()")
                    .hasMessageContaining("-Dapi.update=true");
        }
    }

    @Test
    void theSameCodePassesAndUpdateWritesTheBaseline() throws IOException {
        Path moduleDir = tmp.resolve("module");
        Path v1 = compile("v1", V1);
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {v1.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> ApiDump.check(moduleDir, "demo", v1, loader))
                    .hasMessageContaining("No API baseline");
            System.setProperty(ApiDump.UPDATE_PROPERTY, "true");
            try {
                ApiDump.check(moduleDir, "demo", v1, loader);
            } finally {
                System.clearProperty(ApiDump.UPDATE_PROPERTY);
            }
            assertThat(Files.readAllLines(moduleDir.resolve("api/demo.api"))).isEqualTo(ApiDump.dump(v1, loader));
            ApiDump.check(moduleDir, "demo", v1, loader);   // passes: nothing changed
        }
    }

    @Test
    void differenceIsEmptyOnlyForEqualLines() {
        assertThat(ApiDump.difference(List.of("a", "b"), List.of("a", "b"))).isEmpty();
        assertThat(ApiDump.difference(List.of("a", "b"), List.of("a"))).isEqualTo("- b\n");
        assertThat(ApiDump.difference(List.of("a"), List.of("a", "c"))).isEqualTo("+ c\n");
    }
}
