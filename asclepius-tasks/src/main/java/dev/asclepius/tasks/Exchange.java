package dev.asclepius.tasks;

import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationResult;
import java.time.Duration;
import java.util.Objects;

/**
 * One question sent to the model and its raw answer, with the generation's accounting.
 *
 * @param instruction     the instruction inserted into the prompt
 * @param rawResponse     the model's text, unparsed
 * @param finishReason    why generation stopped
 * @param promptTokens    prompt tokens (BOS included)
 * @param generatedTokens tokens generated
 * @param prefillTime     time to first token
 * @param decodeTime      time of the later decode steps
 * @param wallTime        the whole call as the client measured it (tokenizing included)
 */
public record Exchange(String instruction, String rawResponse, FinishReason finishReason, int promptTokens,
                       int generatedTokens, Duration prefillTime, Duration decodeTime, Duration wallTime) {
    public Exchange {
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(rawResponse, "rawResponse");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(prefillTime, "prefillTime");
        Objects.requireNonNull(decodeTime, "decodeTime");
        Objects.requireNonNull(wallTime, "wallTime");
    }

    public static Exchange of(String instruction, GenerationResult result, Duration wallTime) {
        return new Exchange(instruction, result.text(), result.finishReason(), result.promptTokens(),
                result.generatedTokens(), result.prefillTime(), result.decodeTime(), wallTime);
    }

    /** The answer was cut by the token budget or the context window, so its last line may be incomplete. */
    public boolean truncated() {
        return finishReason == FinishReason.MAX_TOKENS || finishReason == FinishReason.CONTEXT_FULL;
    }
}
