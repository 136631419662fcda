package dev.asclepius.examples;

import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.TaskResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's quick start as a program: {@code QuickStart MODEL_DIR NOTE_FILE}. Lists the entities of a
 * discharge summary with their character spans and answers one question about it, with the number of
 * tokens that answer took. Run it from the built program:
 * {@code java -cp "asclepius-examples/target/asclepius/lib/*" dev.asclepius.examples.QuickStart MODEL_DIR
 * asclepius-examples/samples/discharge-summary.txt}.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: QuickStart MODEL_DIR NOTE_FILE");
            System.exit(2);
        }
        try (AsclepiusClient client = AsclepiusClient.builder().model(Path.of(args[0])).build()) {
            ClinicalNote note = ClinicalNote.of(Files.readString(Path.of(args[1])));
            TaskResult<List<Entity>> entities = client.entities(note);
            for (Entity e : entities.value()) {
                System.out.println(e.type() + " " + e.text() + " " + e.spans());   // spans: [begin, end) in the note
            }
            TaskResult<Answer> followUp = client.ask(note, "What follow-up is planned?");
            System.out.println(followUp.value().text() + "  (" + followUp.generatedTokens() + " tokens generated)");
        }
    }
}
