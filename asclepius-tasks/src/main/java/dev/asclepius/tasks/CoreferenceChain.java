package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * What a set of pronouns or phrases refers to.
 *
 * @param referent      the thing referred to ("the patient", "metformin")
 * @param mentions      the referring expressions the model named ("he", "this medication")
 * @param referentSpans occurrences of {@code referent} in the note
 * @param mentionSpans  occurrences of the mentions in the note (a pronoun matches every occurrence of it)
 */
public record CoreferenceChain(String referent, List<String> mentions, List<Span> referentSpans,
                               List<Span> mentionSpans) {
    public CoreferenceChain {
        Objects.requireNonNull(referent, "referent");
        mentions = List.copyOf(mentions);
        referentSpans = List.copyOf(referentSpans);
        mentionSpans = List.copyOf(mentionSpans);
    }

    public boolean grounded() {
        return !referentSpans.isEmpty();
    }
}
