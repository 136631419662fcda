package dev.asclepius.tasks;

/** How a span was aligned to the note, from most to least trustworthy. */
public enum MatchKind {
    /** The note contains the model's text character for character. */
    EXACT,
    /** Equal once case, whitespace and punctuation are ignored (e.g. "Metformin" vs "metformin,"). */
    NORMALIZED,
    /** Token-level similarity above the threshold (typos, inflections, a word more or less), or the note's capitalised abbreviation of the words ("HTN", "type 2 DM"). */
    FUZZY
}
