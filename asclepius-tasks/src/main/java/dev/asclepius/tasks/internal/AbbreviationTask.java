package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Abbreviation expansion: all abbreviations, or the expansion of one ("What is the expanded form of 'CHF'?"). */
public final class AbbreviationTask {
    private AbbreviationTask() {
    }

    public static final String ALL_QUESTION = "Could you decode all the abbreviations used in this discharge summary? "
            + "Please list each abbreviation on its own line with its expanded form.";

    public static String oneQuestion(String shortForm) {
        return "What is the expanded form of the abbreviation '" + shortForm + "' in this discharge summary?";
    }

    private static final String MEANS = "(?:(?:most |very )?(?:likely|probably|typically|usually|commonly|would typically) )?"
            + "(?:stands for|stand for|means|refers to|is short for|is an abbreviation for|"
            + "is the abbreviation for|is an abbreviation of|represents|denotes|is used for|is)";
    private static final Pattern SAYS = Pattern.compile("(?i)(?:the abbreviation |the term |the acronym )?"
            + "[\"'“‘]?([A-Za-z0-9/.&+-]{1,12}?)[\"'”’]?,?\\s+(?:in this (?:context|discharge summary|report),?\\s+)?"
            + MEANS + "\\s+(.+?)(?=,?\\s+(?:and|while|whereas)\\s+[\"'“‘]?[A-Za-z0-9/.&+-]{1,12}[\"'”’]?\\s+" + MEANS + "\\b|,\\s+(?:the|which|who|a|an|as|in|also)\\b|[;]|\\.\\s|\\.$|$)");
    private static final Pattern LEADING_QUOTE = Pattern.compile("^[\"“'‘]([^\"”'’]{2,80}?)[,.]?[\"”'’](?![A-Za-z])");
    /** Where an expansion's explanation starts: "nil per os, a Latin phrase meaning ...", "... . For example ...". */
    private static final Pattern EXPANSION_END = Pattern.compile("(?i)(?:,\\s+(?:a|an|which|meaning|i\\.e\\.|e\\.g\\.|or|that|used|referring)\\b|"
            + "\\.\\s+|;\\s+|\\s+-\\s+|:\\s+).*$");
    private static final Pattern SEPARATED = Pattern.compile("^(.+?)\\s*(?::|\\s[-–—=]\\s|\\s?=\\s?|->|→)\\s*(.+)$");
    private static final Pattern PAREN = Pattern.compile("^(.+?)\\s*\\(([^()]+)\\)\\.?$");

    /** "CHF", "b.i.d.", "HbA1c", "s/p": no spaces, short, and shaped like an abbreviation. */
    static boolean isShortForm(String s) {
        String t = AnswerText.tidy(s);
        if (t.isEmpty() || t.length() > 12 || t.contains(" ")) {
            return false;
        }
        long upper = t.chars().filter(Character::isUpperCase).count();
        return upper >= 2 || t.contains(".") || t.contains("/") || (upper >= 1 && t.length() <= 4)
                || t.matches("(?i)(?:bid|tid|qid|qd|prn|qhs|po|iv|im|sc|npo|hs|ac|pc|lbs?|hrs?|mins?|yo|y/o|wks?)")
                || t.matches("(?i)q\\d+(?:-\\d+)?[hd]|q(?:am|pm|hs|day|wk)|\\d+w\\d+d|[a-z]{1,4}\\d+[a-z]{0,2}");
    }

    /** Spec for all abbreviations. */
    public static TaskSpec<List<Abbreviation>> all() {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.ABBREVIATIONS;
            }

            @Override
            public List<String> instructions() {
                return List.of(ALL_QUESTION);
            }

            @Override
            public List<Abbreviation> parse(Grounder grounder, List<Reply> replies) {
                List<Abbreviation> out = new ArrayList<>();
                for (Reply r : replies) {
                    out.addAll(AnswerParsers.list(AnswerParsers.parse(Task.ABBREVIATIONS, grounder, ALL_QUESTION, r)));
                }
                return out;
            }

            @Override
            public Grounding grounding(List<Abbreviation> value) {
                return Grounding.of(value.stream().map(Abbreviation::spans).toList());
            }
        };
    }

    /** Spec for the expansion of {@code shortForm}. */
    public static TaskSpec<Optional<Abbreviation>> one(String shortForm) {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.ABBREVIATIONS;
            }

            @Override
            public List<String> instructions() {
                return List.of(oneQuestion(shortForm));
            }

            @Override
            public Optional<Abbreviation> parse(Grounder grounder, List<Reply> replies) {
                return AnswerParsers.first(AnswerParsers.parse(Task.ABBREVIATIONS, grounder, oneQuestion(shortForm), replies.get(0)));
            }

            @Override
            public Grounding grounding(Optional<Abbreviation> value) {
                return Grounding.of(value.stream().map(Abbreviation::spans).toList());
            }
        };
    }

    public static List<Abbreviation> parseAll(Grounder grounder, Reply reply) {
        String text = AnswerText.complete(reply.text(), reply.truncated());
        List<Abbreviation> out = new ArrayList<>();
        for (String raw : AnswerText.lines(text)) {
            String line = AnswerText.stripBullet(raw);
            if (AnswerText.isTableRow(line)) {
                // a table row "COPD | chronic obstructive pulmonary disease"; the header names the columns
                List<String> cells = AnswerText.tableCells(line);
                if (cells.size() < 2 || AnswerText.isTableRule(line)
                        || cells.get(0).matches("(?i)abbreviations?|acronyms?|short(?: form)?|term")) {
                    continue;
                }
                line = cells.get(0) + ": " + cells.get(1);
            }
            if (AnswerText.isPreamble(line) || AnswerText.isNothingLine(line) || AnswerText.isClosing(line)) {
                continue;
            }
            List<String[]> pairs = pairsIn(line);
            if (pairs.isEmpty()) {
                // "The abbreviations used are: HTN (hypertension), CHF (congestive heart failure), and ..."
                String list = line.contains(": ") ? line.substring(line.indexOf(": ") + 2) : AnswerText.stripLeadIn(line);
                for (String part : AnswerText.splitList(list.replaceAll("[.]$", ""))) {
                    pairs.addAll(pairsIn(part.strip()));
                }
            }
            for (String[] p : pairs) {
                out.add(new Abbreviation(p[0], p[1], grounder.locate(p[0])));
            }
        }
        return out;
    }

    /** The (short form, expansion) pairs a line states, in order. */
    private static List<String[]> pairsIn(String line) {
        List<String[]> pairs = new ArrayList<>();
        Matcher sep = SEPARATED.matcher(line);
        if (sep.matches() && (isShortForm(sep.group(1)) || isShortForm(sep.group(2)))) {
            addPair(pairs, sep.group(1), sep.group(2));
            return pairs;
        }
        Matcher paren = PAREN.matcher(line);
        if (paren.matches() && (isShortForm(paren.group(1)) || isShortForm(paren.group(2)))) {
            addPair(pairs, paren.group(1), paren.group(2));
            return pairs;
        }
        Matcher says = SAYS.matcher(line);
        while (says.find()) {
            if (isShortForm(says.group(1))) {
                addPair(pairs, says.group(1), says.group(2));
            }
        }
        return pairs;
    }

    private static void addPair(List<String[]> pairs, String a, String b) {
        String left = AnswerText.tidy(a);
        String right = AnswerText.tidy(b);
        String shortForm = isShortForm(left) ? left : right;
        String expansion = shortForm == left ? right : left;
        expansion = expansion.strip();
        Matcher quoted = LEADING_QUOTE.matcher(expansion);
        if (quoted.find()) {
            expansion = quoted.group(1); // "'nil per os,' a Latin phrase meaning ..." -> nil per os
        }
        expansion = EXPANSION_END.matcher(expansion).replaceFirst("");
        expansion = AnswerText.tidy(expansion.replaceFirst("\\s*\\([^()]*\\)$", "")
                .replaceFirst("(?i)^(?:the abbreviation for|short for|stands for)\\s+", ""));
        if (!expansion.isEmpty()) {
            pairs.add(new String[] {shortForm, expansion});
        }
    }

    public static Optional<Abbreviation> parseOne(Grounder grounder, Reply reply, String shortForm) {
        String text = AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated()));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String first = AnswerText.sentences(AnswerText.lines(text).get(0)).get(0);
        if (AnswerText.saysNothingFound(first)) {
            return Optional.empty();
        }
        String expansion = "";
        for (String line : AnswerText.lines(text)) {
            for (String[] p : pairsIn(AnswerText.stripBullet(line))) {
                if (p[0].equalsIgnoreCase(AnswerText.tidy(shortForm)) && expansion.isEmpty()) {
                    expansion = p[1];
                }
            }
        }
        if (expansion.isEmpty()) {
            // a bare answer: "Congestive heart failure." or "It stands for congestive heart failure."
            expansion = AnswerText.tidy(first.replaceFirst("\\s*\\([^()]*\\)\\.?$", "").replaceFirst("(?i)^(?:in this (?:context|report|discharge summary),?\\s*)?"
                    + "(?:it|this)\\s+" + MEANS + "\\s+", ""));
        }
        return Optional.of(new Abbreviation(shortForm, expansion, grounder.locate(shortForm)));
    }
}
