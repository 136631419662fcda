package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import java.util.Locale;

/** The eight clinical tasks Asclepius was trained on. */
public enum Task {
    ENTITIES("Named Entity Recognition"),
    ABBREVIATIONS("Abbreviation Expansion"),
    RELATIONS("Relation Extraction"),
    TIMELINE("Temporal Information Extraction"),
    COREFERENCES("Coreference Resolution"),
    PARAPHRASE("Paraphrasing"),
    SUMMARY("Summarization"),
    QUESTION_ANSWERING("Question Answering");

    private final String trainingName;

    Task(String trainingName) {
        this.trainingName = trainingName;
    }

    /** The task's name in the training data (never sent to the model). */
    public String trainingName() {
        return trainingName;
    }

    /** Parses a task name as a command line would give it: {@code entities}, {@code qa}, {@code summary}, ... */
    public static Task parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (s) {
            case "entities": case "entity": case "ner": return ENTITIES;
            case "abbreviations": case "abbreviation": case "abbr": return ABBREVIATIONS;
            case "relations": case "relation": return RELATIONS;
            case "timeline": case "temporal": case "time": return TIMELINE;
            case "coreferences": case "coreference": case "coref": return COREFERENCES;
            case "paraphrase": case "paraphrasing": return PARAPHRASE;
            case "summary": case "summarize": case "summarization": return SUMMARY;
            case "ask": case "qa": case "question": case "question_answering": return QUESTION_ANSWERING;
            default:
                throw new InvalidInputException("Unknown task '" + text + "': use entities, abbreviations, relations, "
                        + "timeline, coreferences, paraphrase, summary or ask");
        }
    }
}
