package dev.asclepius.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a compiled module as text, one line per public or protected signature (generic
 * signatures included), and the check of that text against the baseline committed in the module's
 * {@code api/<artifactId>.api}. Each module's {@code ApiCompatibilityTest} runs {@link #check} during
 * {@code mvn verify}.
 *
 * <p>The packages are the module's unqualified {@code exports} read from the compiled {@code module-info.class},
 * so a class in an internal package, or in a package exported only to other modules of the SDK, is not API.
 * A class is listed when it is public and every class around it is public or protected; its members when
 * public or protected (synthetic and bridge methods left out). Members inherited from a superclass are that
 * superclass's lines. Type annotations (JSpecify's {@code @Nullable}) are not part of the text.
 *
 * <p>Any difference fails, additions included: an addition is API from then on, so it is reviewed like a
 * removal. {@code -Dapi.update=true} writes the current text as the new baseline instead (see
 * docs/architecture.md, "API compatibility check").
 */
public final class ApiDump {
    /** The system property that turns a failing check into a baseline update. */
    public static final String UPDATE_PROPERTY = "api.update";

    private ApiDump() {
    }

    /**
     * The API lines of the classes under {@code classesDir} in the packages its module descriptor exports to
     * everyone, loaded (not initialized) with {@code loader}.
     */
    public static List<String> dump(Path classesDir, ClassLoader loader) throws IOException {
        return dump(classesDir, exportedPackages(classesDir), loader);
    }

    /** The API lines of the classes under {@code classesDir} in {@code packages}, loaded with {@code loader}. */
    public static List<String> dump(Path classesDir, Set<String> packages, ClassLoader loader) throws IOException {
        List<Class<?>> classes = new ArrayList<>();
        for (String pkg : new TreeSet<>(packages)) {
            Path dir = classesDir.resolve(pkg.replace('.', '/'));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().collect(Collectors.toList())) {
                    String file = f.getFileName().toString();
                    if (!file.endsWith(".class") || file.equals("package-info.class")) {
                        continue;
                    }
                    String name = pkg + "." + file.substring(0, file.length() - ".class".length());
                    try {
                        Class<?> c = Class.forName(name, false, loader);
                        if (isApi(c)) {
                            classes.add(c);
                        }
                    } catch (ClassNotFoundException | LinkageError e) {
                        throw new IllegalStateException("ApiDump: cannot load " + name + " from " + classesDir, e);
                    }
                }
            }
        }
        classes.sort(Comparator.comparing(Class::getName));
        List<String> lines = new ArrayList<>();
        for (Class<?> c : classes) {
            lines.add(header(c));
            TreeSet<String> members = new TreeSet<>();
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k) && !k.isSynthetic()) {
                    members.add("  " + k.toGenericString());
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                    members.add("  " + m.toGenericString());
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f) && !f.isSynthetic()) {
                    members.add("  " + f.toGenericString());
                }
            }
            lines.addAll(members);
        }
        return lines;
    }

    /** The packages the module descriptor in {@code classesDir} exports without naming the modules. */
    public static Set<String> exportedPackages(Path classesDir) throws IOException {
        Path descriptor = classesDir.resolve("module-info.class");
        try (InputStream in = Files.newInputStream(descriptor)) {
            return ModuleDescriptor.read(in).exports().stream()
                    .filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Compares the API of {@code classesDir} with the baseline {@code api/<artifactId>.api} under
     * {@code moduleDir}. With {@code -Dapi.update=true} writes the baseline instead. Throws
     * {@link AssertionError} with the difference and the update command when they differ.
     */
    public static void check(Path moduleDir, String artifactId, Path classesDir, ClassLoader loader) throws IOException {
        List<String> current = dump(classesDir, loader);
        Path baseline = moduleDir.resolve("api").resolve(artifactId + ".api");
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(baseline.getParent());
            Files.write(baseline, current, StandardCharsets.UTF_8);
            System.out.println("ApiDump: wrote " + current.size() + " lines to " + baseline);
            return;
        }
        if (!Files.isRegularFile(baseline)) {
            throw new AssertionError("No API baseline " + baseline + ". Create it with: " + updateCommand(artifactId));
        }
        String problem = difference(Files.readAllLines(baseline, StandardCharsets.UTF_8), current);
        if (!problem.isEmpty()) {
            throw new AssertionError("The public API of " + artifactId + " differs from its baseline " + baseline
                    + " (- in the baseline only, + in the code only):\n" + problem
                    + "If the change is intended (a removed or changed signature breaks callers: say so in the"
                    + " commit), update the baseline and commit it:\n  " + updateCommand(artifactId) + "\n");
        }
    }

    /** The lines only in {@code baseline} (prefixed "- ") and only in {@code current} ("+ "); empty when equal. */
    public static String difference(List<String> baseline, List<String> current) {
        Set<String> before = new LinkedHashSet<>(baseline);
        Set<String> now = new LinkedHashSet<>(current);
        StringBuilder out = new StringBuilder();
        for (String line : baseline) {
            if (!now.contains(line)) {
                out.append("- ").append(line.strip()).append('\n');
            }
        }
        for (String line : current) {
            if (!before.contains(line)) {
                out.append("+ ").append(line.strip()).append('\n');
            }
        }
        return out.toString();
    }

    static String updateCommand(String artifactId) {
        return "mvn -B -pl " + artifactId + " -am test -Dtest=ApiCompatibilityTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dapi.update=true   (every module: scripts/api-update.sh)";
    }

    private static boolean isApi(Class<?> c) {
        if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            int m = k.getModifiers();
            boolean reachable = Modifier.isPublic(m) || k.getDeclaringClass() != null && Modifier.isProtected(m);
            if (!reachable) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Member m) {
        return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
    }

    /** The class's declaration: modifiers, kind, generic name, superclass and interfaces. */
    private static String header(Class<?> c) {
        StringBuilder s = new StringBuilder(c.toGenericString());
        Type superclass = c.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && superclass != Record.class
                && !(c.isEnum() && c.getSuperclass() == Enum.class)) {
            s.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = c.getGenericInterfaces();
        if (interfaces.length > 0) {
            s.append(c.isInterface() ? " extends " : " implements ").append(Arrays.stream(interfaces)
                    .map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    /** Where {@code anyClass} of a module was loaded from: its classes folder during the build. */
    public static Path classesDir(Class<?> anyClass) {
        try {
            return Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module's folder: Maven's {@code basedir} (surefire sets it), else the working directory. */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    }
}
