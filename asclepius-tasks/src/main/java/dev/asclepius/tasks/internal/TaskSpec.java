package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Task;
import java.util.List;

/**
 * One task as the client runs it: the questions to send, and how their answers become the typed value.
 * The instruction texts live in each implementation, next to the parser that reads their answers.
 */
public interface TaskSpec<T> {

    Task task();

    /** The instructions to send, in order (one exchange each). */
    List<String> instructions();

    /** Parses the answers, one per instruction in the same order. */
    T parse(Grounder grounder, List<Reply> replies);

    /** Tallies how the value's items were found in the note. */
    Grounding grounding(T value);

    /** A raw answer and whether the token limit cut it. */
    record Reply(String text, boolean truncated) {
    }
}
