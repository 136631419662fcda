package dev.asclepius.core;

import java.util.Locale;

/**
 * When beam search ({@link GenerationConfig#numBeams()} &gt; 1) stops, with HF transformers'
 * {@code early_stopping} semantics. A beam search keeps the {@code numBeams} best finished hypotheses;
 * these settings decide when the beams still running can no longer matter.
 */
public enum EarlyStopping {
    /**
     * HF {@code early_stopping=True}: stop as soon as {@code numBeams} hypotheses have finished.
     */
    WHEN_FULL,
    /**
     * HF {@code early_stopping=False} (HF's and this SDK's default): stop when the best running beam, scored
     * with the current length, cannot beat the worst finished hypothesis. A heuristic: with a positive length
     * penalty a longer continuation could still score better.
     */
    HEURISTIC,
    /**
     * HF {@code early_stopping="never"}: stop only when no running beam can beat the worst finished hypothesis
     * at any length up to the token budget (the canonical beam search).
     */
    NEVER;

    /**
     * Parses HF's spelling: {@code "true"}, {@code "false"} or {@code "never"} (any case), or this enum's names.
     *
     * @throws InvalidInputException for anything else
     */
    public static EarlyStopping parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "when_full" -> WHEN_FULL;
            case "false", "heuristic" -> HEURISTIC;
            case "never" -> NEVER;
            default -> throw new InvalidInputException("early stopping must be true, false or never (HF's "
                    + "early_stopping), got '" + value + "'");
        };
    }
}
