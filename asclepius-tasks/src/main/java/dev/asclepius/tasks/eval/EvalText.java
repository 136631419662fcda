package dev.asclepius.tasks.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Paraphrase;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Timeline;
import dev.asclepius.tasks.TimelineEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * How {@link ParseEval} compares text and reads the cases' JSON: the comparison form of an item, content-word
 * Dice similarity, the one-to-one matching of expected and parsed items, and the spans a parsed value carries.
 */
final class EvalText {
    private EvalText() {
    }

    static final Set<String> STOP = Set.of("the", "a", "an", "of", "and", "or", "in", "on", "at", "to", "for",
            "with", "by", "was", "were", "is", "are", "be", "been", "his", "her", "their", "patient", "s", "he", "she",
            "it", "this", "that", "as", "from", "had", "has", "have");

    /** A maximum one-to-one matching (augmenting paths): result[i] is the parsed index of expected i, or -1. */
    static <E, P> int[] match(List<E> expected, List<P> parsed, BiPredicate<E, P> same) {
        boolean[][] ok = new boolean[expected.size()][parsed.size()];
        for (int i = 0; i < expected.size(); i++) {
            for (int j = 0; j < parsed.size(); j++) {
                ok[i][j] = same.test(expected.get(i), parsed.get(j));
            }
        }
        int[] ofParsed = new int[parsed.size()];
        java.util.Arrays.fill(ofParsed, -1);
        for (int i = 0; i < expected.size(); i++) {
            augment(i, ok, ofParsed, new boolean[parsed.size()]);
        }
        int[] ofExpected = new int[expected.size()];
        java.util.Arrays.fill(ofExpected, -1);
        for (int j = 0; j < parsed.size(); j++) {
            if (ofParsed[j] >= 0) {
                ofExpected[ofParsed[j]] = j;
            }
        }
        return ofExpected;
    }

    static boolean augment(int i, boolean[][] ok, int[] ofParsed, boolean[] seen) {
        for (int j = 0; j < ofParsed.length; j++) {
            if (ok[i][j] && !seen[j]) {
                seen[j] = true;
                if (ofParsed[j] < 0 || augment(ofParsed[j], ok, ofParsed, seen)) {
                    ofParsed[j] = i;
                    return true;
                }
            }
        }
        return false;
    }

    static List<Span> spansOf(Object value) {
        List<Span> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                out.addAll(spansOf(o));
            }
        } else if (value instanceof Entity e) {
            out.addAll(e.spans());
        } else if (value instanceof Abbreviation a) {
            out.addAll(a.spans());
        } else if (value instanceof Relation r) {
            out.addAll(r.headSpans());
            out.addAll(r.tailSpans());
        } else if (value instanceof Timeline tl) {
            for (TimelineEvent e : tl.events()) {
                out.addAll(e.eventSpans());
                out.addAll(e.timeSpans());
            }
        } else if (value instanceof CoreferenceChain ch) {
            out.addAll(ch.mentionSpans());
            out.addAll(ch.referentSpans());
        } else if (value instanceof Paraphrase p) {
            out.addAll(p.originalSpans());
        } else if (value instanceof Answer a) {
            for (Evidence e : a.evidence()) {
                out.addAll(e.spans());
            }
        }
        return out;
    }

    /** Lower case, punctuation as spaces, single spaces, without a leading "the", "a", "an" or "patient's". */
    static String spaced(String s) {
        String t = s.toLowerCase(Locale.ROOT).replace("’", "'").replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
        String prev;
        do {
            prev = t;
            t = t.replaceFirst("^(?:the|a|an|patient s|patients)\\s+", "");
        } while (!t.equals(prev));
        return t;
    }

    /** The comparison form of an item: {@link #spaced} without the spaces ("X-ray" equals "xray"). */
    static String norm(String s) {
        return spaced(s).replace(" ", "");
    }

    static double dice(String a, String b) {
        List<String> x = content(a);
        List<String> y = content(b);
        if (x.isEmpty() || y.isEmpty()) {
            return 0;
        }
        List<String> rest = new ArrayList<>(y);
        int common = 0;
        for (String w : x) {
            if (rest.remove(w)) {
                common++;
            }
        }
        return 2.0 * common / (x.size() + y.size());
    }

    static List<String> content(String s) {
        List<String> out = new ArrayList<>();
        for (String w : spaced(s).split(" ")) {
            if (!w.isEmpty() && !STOP.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    static boolean equalsAny(String parsed, JsonObject e, String field, String acceptField) {
        String p = norm(parsed);
        if (p.isEmpty()) {
            return false;
        }
        if (str(e, field).map(EvalText::norm).filter(p::equals).isPresent()) {
            return true;
        }
        return acceptField != null && strings(e, acceptField).stream().map(EvalText::norm).anyMatch(p::equals);
    }

    static boolean sameOptional(Optional<String> expected, Optional<String> parsed) {
        return expected.map(EvalText::norm).equals(parsed.map(EvalText::norm));
    }

    static String trimPunct(String s) {
        return s.strip().replaceAll("^[\\p{Punct}\\s]+|[\\p{Punct}\\s]+$", "").replaceAll("\\s+", " ");
    }

    static String texts(List<Span> spans) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (Span s : spans) {
            if (seen.add(s.text()) && out.size() < 4) {
                out.add("'" + s.text() + "'");
            }
        }
        return out.isEmpty() ? "no span" : String.join(", ", out);
    }

    static String describe(JsonObject e, String field) {
        return str(e, field).orElse("?");
    }

    static List<JsonObject> items(JsonObject expected) {
        List<JsonObject> out = new ArrayList<>();
        if (expected.has("items") && expected.get("items").isJsonArray()) {
            for (JsonElement el : expected.getAsJsonArray("items")) {
                out.add(el.getAsJsonObject());
            }
        }
        return out;
    }

    static Optional<String> str(JsonObject o, String key) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return Optional.empty();
        }
        String s = o.get(key).getAsString();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        if (o.has(key) && o.get(key).isJsonArray()) {
            for (JsonElement el : o.getAsJsonArray(key)) {
                if (!el.isJsonNull() && !el.getAsString().isBlank()) {
                    out.add(el.getAsString());
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> cast(Object value) {
        return (List<T>) value; // the task's documented value type
    }
}
