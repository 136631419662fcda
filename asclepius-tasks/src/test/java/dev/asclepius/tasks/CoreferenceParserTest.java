package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.internal.CoreferenceTask;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CoreferenceParserTest {

    /** A chain whose referent is grounded by what it names: "the patient" at every "patient" (issue #10). */
    static CoreferenceChain c(String referent, String... mentions) {
        List<Span> spans = new ArrayList<>(Fixtures.spans(referent.replaceFirst("(?i)^(?:the|a|an|his|her)\\s+", "")));
        if (referent.equalsIgnoreCase("the patient")) {
            // the patient is also where the note introduces them
            spans.addAll(Fixtures.spans("67-year-old male", MatchKind.NORMALIZED));
            spans.addAll(Fixtures.spans("67-year-old man", MatchKind.NORMALIZED));
            spans.sort(Comparator.comparingInt(Span::begin));
        }
        return c(referent, spans, mentions);
    }

    static CoreferenceChain c(String referent, List<Span> referentSpans, String... mentions) {
        List<Span> mentionSpans = new ArrayList<>();
        for (String m : mentions) {
            mentionSpans.addAll(Fixtures.spans(m));
        }
        mentionSpans.sort(Comparator.comparingInt(Span::begin));
        return new CoreferenceChain(referent, List.of(mentions), referentSpans, mentionSpans);
    }

    static Stream<Arguments> allAnswers() {
        return Stream.of(
                Arguments.of("refers-to sentence", false, "'He' refers to the patient.", List.of(c("the patient", "He"))),
                Arguments.of("arrow lines", false, """
                        - He -> the patient
                        - it -> clopidogrel""",
                        List.of(c("the patient", "He"), c("clopidogrel", "it"))),
                Arguments.of("numbered, grouped by referent", false, """
                        1. "He" refers to the patient.
                        2. "His" refers to the patient.
                        3. "it" refers to clopidogrel.""",
                        List.of(c("the patient", "He", "His"), c("clopidogrel", "it"))),
                Arguments.of("plural prose with location", false,
                        "In the second paragraph, 'he' and 'his' refer to the patient.",
                        List.of(c("the patient", "he", "his"))),
                Arguments.of("pronoun phrase with section and trailing clause", false,
                        "The pronoun 'it' in the discharge instructions refers to clopidogrel, which should be taken every day.",
                        List.of(c("clopidogrel", "it"))),
                Arguments.of("phrase with colon, mention not in note", false, "This procedure: cardiac catheterization",
                        List.of(c("cardiac catheterization", "This procedure"))),
                Arguments.of("nothing found", false,
                        "There are no pronouns with unclear referents in the discharge summary.", List.of()),
                Arguments.of("truncated", true, """
                        1. He - the patient
                        2. It - clopid""",
                        List.of(c("the patient", "He"))),
                Arguments.of("two clauses in one sentence", false,
                        "In the discharge instructions, \"it\" refers to clopidogrel and \"he\" refers to the patient.",
                        List.of(c("clopidogrel", "it"), c("the patient", "he"))),
                Arguments.of("referent cut at apposition", false, "'He' refers to the patient, a 67-year-old man.",
                        List.of(c("the patient", "He"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allAnswers")
    void parsesAll(String name, boolean truncated, String answer, List<CoreferenceChain> expected) {
        List<CoreferenceChain> got = CoreferenceTask.parseAll(new Grounder(Fixtures.NOTE), new Reply(answer, truncated));
        assertThat(got).containsExactlyElementsOf(expected);
        got.forEach(x -> {
            Fixtures.assertValid(x.referentSpans());
            Fixtures.assertValid(x.mentionSpans());
        });
    }

    static Stream<Arguments> oneAnswers() {
        return Stream.of(
                Arguments.of("he", "He refers to the patient.", Optional.of(c("the patient", "he"))),
                Arguments.of("he", "The patient.", Optional.of(c("The patient", "he"))),
                Arguments.of("he", "In the sentence 'He is expected to recover fully', 'he' refers to the patient, "
                        + "who is the 67-year-old man.", Optional.of(c("the patient", "he"))),
                Arguments.of("it", "It refers to clopidogrel.", Optional.of(c("clopidogrel", "it"))),
                Arguments.of("these exercises", "The discharge summary does not mention 'these exercises'.", Optional.empty()),
                Arguments.of("this procedure", "'This procedure' refers to the cardiac catheterization performed on "
                        + "hospital day 2.", Optional.of(c("the cardiac catheterization performed on hospital day 2",
                        // the referent's name is its head phrase, which the note says word for word; when
                        // and how it was performed is what the answer tells about it (was the fuzzy window
                        // "cardiac catheterization on hospital day 2" before the issue #10 grounding work)
                        Fixtures.spans("cardiac catheterization"), "this procedure"))));
    }

    @ParameterizedTest(name = "one: {0} <- {1}")
    @MethodSource("oneAnswers")
    void parsesOne(String mention, String answer, Optional<CoreferenceChain> expected) {
        assertThat(CoreferenceTask.parseOne(new Grounder(Fixtures.NOTE), new Reply(answer, false), mention))
                .isEqualTo(expected);
    }
}
