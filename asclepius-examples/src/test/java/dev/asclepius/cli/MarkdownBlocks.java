package dev.asclepius.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fenced code blocks of the repository's Markdown files, for the tests that run what the docs say. */
final class MarkdownBlocks {
    record Block(Path file, int line, String language, String text) {
    }

    private MarkdownBlocks() {
    }

    /** The repository root: the nearest folder up from the working directory with README.md and docs/. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("No README.md with docs/ above " + Path.of("").toAbsolutePath());
    }

    /** Every fenced block (indented fences too, as in lists), in order, with the language after the fence. */
    static List<Block> of(Path file) throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String language = null;
        String indent = "";
        int start = 0;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (language == null && trimmed.startsWith("```")) {
                language = trimmed.substring(3).strip();
                indent = line.substring(0, line.indexOf('`'));
                start = i + 2;
                text.setLength(0);
            } else if (language != null && trimmed.equals("```")) {
                blocks.add(new Block(file, start, language, text.toString()));
                language = null;
            } else if (language != null) {
                text.append(line.startsWith(indent) ? line.substring(indent.length()) : line).append('\n');
            }
        }
        return blocks;
    }
}
