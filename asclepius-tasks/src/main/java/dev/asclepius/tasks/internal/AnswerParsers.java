package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.EntityType;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way an answer becomes a typed value: the client parses its own answers here, with the question
 * it sent, and {@link dev.asclepius.tasks.TaskParsers} parses saved answers here with the question the
 * user saved, so a saved answer and a live one parse alike.
 */
public final class AnswerParsers {
    private AnswerParsers() {
    }

    /**
     * The value of {@code reply} as an answer to {@code question} (blank: not known). Types: ENTITIES
     * {@code List<Entity>}, ABBREVIATIONS {@code List<Abbreviation>}, RELATIONS {@code List<Relation>},
     * TIMELINE {@code Timeline}, COREFERENCES {@code List<CoreferenceChain>}, PARAPHRASE {@code Paraphrase},
     * SUMMARY {@code Summary}, QUESTION_ANSWERING {@code Answer}.
     */
    public static Object parse(Task task, Grounder g, String question, Reply reply) {
        QuestionContext ctx = QuestionContext.of(task, question);
        switch (task) {
            case ENTITIES:
                return entities(g, ctx, reply);
            case ABBREVIATIONS:
                return ctx.target().isPresent()
                        ? AbbreviationTask.parseOne(g, reply, ctx.target().get()).stream().toList()
                        : AbbreviationTask.parseAll(g, reply);
            case RELATIONS:
                return relations(g, ctx, reply);
            case TIMELINE:
                return TimelineTask.parseAnswer(g, reply);
            case COREFERENCES:
                return ctx.target().isPresent()
                        ? CoreferenceTask.parseOne(g, reply, ctx.target().get()).stream().toList()
                        : CoreferenceTask.parseAll(g, reply);
            case PARAPHRASE:
                return ParaphraseTask.parseAnswer(g, reply, ctx.target());
            case SUMMARY:
                return SummaryTask.parseAnswer(reply);
            case QUESTION_ANSWERING:
                return QuestionTask.parseAnswer(g, reply);
            default:
                throw new IllegalStateException("unreachable: " + task);
        }
    }

    /**
     * A pair question relates its two items when the note names them (quoted, or found verbatim); a pair
     * written loosely ("the patient's drinking and his liver tests") is answered by the relations the
     * answer states, and only when it states none by the pair itself.
     */
    static List<?> relations(Grounder g, QuestionContext ctx, Reply reply) {
        if (ctx.pair().isEmpty()) {
            return RelationTask.parseAll(g, reply);
        }
        String a = ctx.pair().get().get(0);
        String b = ctx.pair().get().get(1);
        List<String> heads = RelationItems.conjuncts(a);
        if (heads.size() > 1 && heads.stream().allMatch(h -> !g.locateStrict(h).isEmpty()) && g.locateStrict(a).isEmpty()) {
            // 'amoxicillin and clarithromycin' and 'H. pylori infection': one relation per drug the pair names
            List<Object> each = new ArrayList<>();
            for (String h : heads) {
                each.addAll(RelationTask.parsePair(g, reply, h, b).stream().toList());
            }
            return withFurther(g, each, RelationTask.parseAll(g, reply), a, b);
        }
        List<?> pair = RelationTask.parsePair(g, reply, a, b).stream().toList();
        if (ctx.pairQuoted() || pair.isEmpty() || (!g.locateStrict(a).isEmpty() && !g.locateStrict(b).isEmpty())) {
            return withFurther(g, pair, RelationTask.parseAll(g, reply), a, b);
        }
        List<?> stated = RelationTask.parseAll(g, reply);
        return stated.isEmpty() ? pair : stated;
    }

    /**
     * The pair, then the further relations the answer states beside it that lead to one of the pair's items
     * from an item the pair does not name ("The respiratory viral panel was positive for rhinovirus/enterovirus,
     * which caused ..." for 'rhinovirus/enterovirus' and 'acute asthma exacerbation'); a stated relation
     * between the pair's own items, or between two other items, is not added, nor one whose ends are not
     * short names or whose other item the note does not say verbatim.
     */
    static List<?> withFurther(Grounder g, List<?> pair, List<Relation> stated, String a, String b) {
        List<Object> out = new ArrayList<>(pair);
        for (Relation r : stated) {
            boolean headA = sameItem(r.head(), a);
            boolean headB = sameItem(r.head(), b);
            boolean tailA = sameItem(r.tail(), a);
            boolean tailB = sameItem(r.tail(), b);
            boolean oneEnd = (headA || headB) != (tailA || tailB);
            String other = headA || headB ? r.tail() : r.head();
            if (oneEnd && !(headA && headB) && !(tailA && tailB) && itemLike(r.head()) && itemLike(r.tail())
                    && !g.locateStrict(other).isEmpty()) {
                out.add(r);
            }
        }
        return out;
    }

    /** A name, not a clause: at most four words, no punctuation or digits. */
    private static boolean itemLike(String item) {
        return item.split("\\s+").length <= 4 && !item.matches("(?s).*[,;:()\\d].*");
    }

    /** The item names the pair's item: equal, or one contains the other, ignoring case. */
    private static boolean sameItem(String item, String pairItem) {
        String x = item.toLowerCase(java.util.Locale.ROOT).strip();
        String y = pairItem.toLowerCase(java.util.Locale.ROOT).replaceFirst("^(?:the patient's|the|his|her)\\s+", "").strip();
        // "AKI" names 'acute kidney injury': an abbreviation of the pair's item by its initials
        return !x.isEmpty() && !y.isEmpty() && (x.equals(y) || x.contains(y) || y.contains(x) || x.equals(initials(y)));
    }

    private static String initials(String words) {
        StringBuilder b = new StringBuilder();
        for (String w : words.split("[\\s-]+")) {
            if (!w.isEmpty() && !w.equals("of") && !w.equals("and")) {
                b.append(w.charAt(0));
            }
        }
        return b.length() >= 2 ? b.toString() : "";
    }

    static List<Entity> entities(Grounder g, QuestionContext ctx, Reply reply) {
        return EntityTask.parseAnswer(g, reply, ctx.entityType().orElse(EntityType.OTHER));
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Object value) {
        return (List<T>) value; // the caller asked for a task whose value is a list of T
    }

    static <T> Optional<T> first(Object value) {
        List<T> l = list(value);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }
}
