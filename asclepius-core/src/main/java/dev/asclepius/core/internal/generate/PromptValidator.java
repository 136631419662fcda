package dev.asclepius.core.internal.generate;

import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.model.ModelConfig;

/**
 * Checks a prompt against the model before any compute: non-empty, ids inside the vocabulary, room
 * left in the context. (Generation itself runs in {@link Scheduler}.)
 */
public final class PromptValidator {
    private final ModelConfig config;

    public PromptValidator(ModelConfig config) {
        this.config = config;
    }

    /** Checks ids and context before any compute. */
    public void validate(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new InvalidInputException("The prompt is empty: pass at least one token id (normally BOS plus text).");
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new InvalidInputException("Prompt token " + i + " is id " + promptIds[i]
                        + ", outside the vocabulary [0, " + vocab + ").");
            }
        }
        int context = config.contextLength();
        if (promptIds.length >= context) {
            throw new ContextLengthExceededException(promptIds.length, context);
        }
    }
}
