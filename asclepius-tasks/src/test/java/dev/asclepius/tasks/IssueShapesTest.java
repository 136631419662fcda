package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer shapes issue #10 names, parsed with their question through {@link TaskParsers}. */
class IssueShapesTest {

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Task task, String question, String answer) {
        Parsed<?> p = TaskParsers.parse(TaskType.of(task), Fixtures.NOTE, question, answer);
        for (Object o : (List<Object>) p.value()) {
            if (o instanceof Entity e) {
                Fixtures.assertValid(e.spans());
            }
        }
        return (List<T>) p.value();
    }

    @Test
    void inlineListsWithDashesAndParenthesesAreOneItemEach() {
        List<Entity> dashes = list(Task.ENTITIES, "What medications was the patient discharged on?",
                "Metformin - 500 mg PO BID; Lisinopril - 10 mg PO daily; Aspirin - 81 mg daily");
        assertThat(dashes).extracting(Entity::text).containsExactly("Metformin", "Lisinopril", "Aspirin");
        assertThat(dashes).extracting(e -> e.dosage().orElse("")).containsExactly("500 mg PO BID", "10 mg PO daily", "81 mg daily");
        assertThat(dashes).extracting(Entity::type).containsOnly(EntityType.MEDICATION);
        List<Entity> parens = list(Task.ENTITIES, "What tests were done?",
                "He had an ECG (ST depression), a chest X-ray (mild pulmonary edema) and an echocardiogram (EF 35%).");
        assertThat(parens).extracting(Entity::text).containsExactly("ECG", "chest X-ray", "echocardiogram");
        assertThat(parens).extracting(Entity::type).containsOnly(EntityType.TEST);
    }

    @Test
    void subBulletsFillFieldsAndDenialsNegateEveryItem() {
        List<Entity> meds = list(Task.ENTITIES, "List the medications with dose and indication.", """
                **1. Clopidogrel**
                   - Dose: 75 mg daily
                   - Indication: stent
                **2. Furosemide**
                   - Dose: 40 mg PO daily
                   - Indication: Not mentioned""");
        assertThat(meds).extracting(Entity::text).containsExactly("Clopidogrel", "Furosemide");
        assertThat(meds.get(1).dosage()).contains("40 mg PO daily");
        List<Entity> denied = list(Task.ENTITIES, "What conditions does the patient have?",
                "He has hypertension. He denies syncope, palpitations or fever.");
        assertThat(denied).extracting(Entity::text).containsExactly("hypertension", "syncope", "palpitations", "fever");
        assertThat(denied.subList(1, 4)).allMatch(e -> e.status().equals(java.util.Optional.of(EntityStatus.NEGATED)));
        assertThat(denied.get(0).status()).isEmpty();
    }

    @Test
    void proseRelationsAndPairQuestions() {
        List<Relation> all = list(Task.RELATIONS, "Identify the connections between the medications and the conditions.",
                "Furosemide was started for the CHF exacerbation. Clopidogrel and aspirin were given because of the PCI. "
                        + "Atorvastatin: hyperlipidemia");
        assertThat(all).extracting(Relation::head, Relation::tail).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Furosemide", "CHF exacerbation"),
                org.assertj.core.groups.Tuple.tuple("Clopidogrel", "PCI"),
                org.assertj.core.groups.Tuple.tuple("aspirin", "PCI"),
                org.assertj.core.groups.Tuple.tuple("Atorvastatin", "hyperlipidemia"));
        List<Relation> pair = list(Task.RELATIONS, "Identify the connection between 'Clopidogrel' and 'PCI' in this discharge summary.",
                "Clopidogrel was prescribed after PCI to prevent stent thrombosis.");
        assertThat(pair).singleElement().satisfies(r -> {
            assertThat(r.head()).isEqualTo("Clopidogrel");
            assertThat(r.tail()).isEqualTo("PCI");
            assertThat(r.grounded()).isTrue();
        });
        assertThat(list(Task.RELATIONS, "Identify the connection between 'Clopidogrel' and 'diabetes'.",
                "There is no mention of a relationship between clopidogrel and diabetes in the discharge summary.")).isEmpty();
    }

    @Test
    void timelinesWithSeveralTimesPerSentenceAndClockTimes() {
        Timeline t = (Timeline) TaskParsers.parse(TaskType.TIMELINE, Fixtures.NOTE, "When did things happen?",
                "He was admitted on 03/14/2019 at 0800, underwent PCI on 03/16/2019 and was discharged on 03/20/2019. "
                        + "Follow-up with cardiology in 2 weeks.").value();
        assertThat(t.events()).extracting(TimelineEvent::timeExpression)
                .containsExactly("03/14/2019 at 0800", "03/16/2019", "03/20/2019", "in 2 weeks");
        assertThat(t.events()).extracting(TimelineEvent::event)
                .containsExactly("admitted", "underwent PCI", "discharged", "Follow-up with cardiology");
        assertThat(t.events().get(0).timeSpans()).extracting(Span::text).containsExactly("03/14/2019"); // the note has no clock time
        assertThat(t.events().get(3).normalized()).contains(new NormalizedTime(NormalizedTime.Kind.DURATION, "P2W"));
    }

    @Test
    void coreferenceProseWithQuotedMentionsAndSeveralChains() {
        List<CoreferenceChain> chains = list(Task.COREFERENCES, "Identify the coreferents for the pronouns.",
                "In the discharge instructions, \"it\" (it must not be stopped) refers to clopidogrel; \"He\" / \"his\" - the patient.");
        assertThat(chains).extracting(CoreferenceChain::referent).containsExactly("clopidogrel", "the patient");
        assertThat(chains.get(0).mentions()).containsExactly("it");
        assertThat(chains.get(1).mentions()).containsExactly("He", "his");
        // "it" is grounded at word boundaries only: never inside "with" or "hit"
        assertThat(chains.get(0).mentionSpans()).allMatch(s -> s.text().equalsIgnoreCase("it"));
    }
}
