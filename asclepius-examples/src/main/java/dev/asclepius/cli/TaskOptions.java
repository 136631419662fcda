package dev.asclepius.cli;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Task;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by {@code run} and {@code parse}: which task, which note, which output form. */
final class TaskOptions {
    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "entities, abbreviations, relations, timeline, coreferences, paraphrase, summary or ask "
                    + "(also: ner, abbr, coref, summarize, qa).")
    String task;

    @Option(names = "--note", required = true, paramLabel = "FILE", description = "The discharge summary, a UTF-8 text file.")
    Path note;

    @Option(names = "--json", description = "Print one JSON object (empty Optionals as null) instead of readable lines.")
    boolean json;

    // Parsed on use rather than by a picocli converter, so an unknown name gets the library's own message.
    Task parsedTask() {
        return Task.parse(task);
    }

    ClinicalNote readNote() {
        return ClinicalNote.of(TextFiles.read(note, "note"));
    }
}
