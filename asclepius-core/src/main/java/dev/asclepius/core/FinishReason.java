package dev.asclepius.core;

/** Why generation stopped. */
public enum FinishReason {
    /** The model produced its end-of-sequence token. */
    EOS,
    /** The model produced one of the extra stop token ids. */
    STOP_TOKEN,
    /** The generated text reached one of the stop strings (which is cut from the text). */
    STOP_STRING,
    /** {@code maxNewTokens} tokens were generated. */
    MAX_TOKENS,
    /** The context window is full. */
    CONTEXT_FULL
}
