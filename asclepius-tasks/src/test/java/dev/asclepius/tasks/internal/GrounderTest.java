package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Fixtures;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.MatchKind;
import dev.asclepius.tasks.Span;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrounderTest {

    private final Grounder grounder = new Grounder(Fixtures.NOTE);

    private static String text(Span s) {
        return Fixtures.TEXT.substring(s.begin(), s.end());
    }

    @Test
    void findsEveryOccurrenceAndMarksEachByHowItMatched() {
        List<Span> spans = grounder.locate("clopidogrel");
        assertThat(spans).extracting(Span::text).containsExactly("Clopidogrel", "clopidogrel");
        assertThat(spans).extracting(Span::match).containsExactly(MatchKind.NORMALIZED, MatchKind.EXACT);
        assertThat(spans.get(0).begin()).isLessThan(spans.get(1).begin());
    }

    @Test
    void exactMatchKeepsTrailingPunctuationOfThePhraseOut() {
        List<Span> spans = grounder.locate("HbA1c.");
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("HbA1c");
            assertThat(s.match()).isEqualTo(MatchKind.EXACT);
        });
    }

    @Test
    void normalizedIgnoresCaseWhitespaceAndPunctuation() {
        assertThat(grounder.locate("SHORTNESS   of\tbreath")).extracting(Span::text)
                .containsExactly("shortness of breath", "shortness of breath");
        assertThat(grounder.locate("drug eluting stent")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("drug-eluting stent");
            assertThat(s.match()).isEqualTo(MatchKind.NORMALIZED);
        });
        assertThat(grounder.locate("metformin 500mg")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("Metformin 500 mg");
            assertThat(s.match()).isEqualTo(MatchKind.NORMALIZED);
        });
    }

    @Test
    void normalizedOffsetsSpanLineBreaksOfTheOriginal() {
        ClinicalNote note = ClinicalNote.of("Diagnosis: congestive heart\n   failure, stable.\nHeart failure clinic in 2 weeks.");
        List<Span> spans = new Grounder(note).locate("Heart Failure");
        assertThat(spans).extracting(Span::text).containsExactly("heart\n   failure", "Heart failure");
        for (Span s : spans) {
            assertThat(note.text().substring(s.begin(), s.end())).isEqualTo(s.text());
            assertThat(s.match()).isEqualTo(MatchKind.NORMALIZED);
        }
    }

    @Test
    void fuzzyCatchesMisspellingsAndInflections() {
        assertThat(grounder.locate("metformine")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("Metformin");
            assertThat(s.match()).isEqualTo(MatchKind.FUZZY);
        });
        assertThat(grounder.locate("hypertensive")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("hypertension");
            assertThat(s.match()).isEqualTo(MatchKind.FUZZY);
        });
        assertThat(grounder.locate("the ejection fractions of 35%")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("ejection fraction of 35");
            assertThat(s.match()).isEqualTo(MatchKind.FUZZY);
        });
    }

    @Test
    void notFoundIsEmptyNeverGuessed() {
        assertThat(grounder.locate("warfarin")).isEmpty();
        assertThat(grounder.locate("CHG")).as("short tokens are never fuzzy").isEmpty();
        assertThat(grounder.locate("100 mg")).as("numbers must match exactly").isEmpty();
        assertThat(grounder.locate("   ")).isEmpty();
    }

    @Test
    void matchesWholeWordsOnly() {
        assertThat(grounder.locate("ST")).extracting(Span::text).containsExactly("ST");
        assertThat(grounder.locate("LA")).isEmpty();
        assertThat(grounder.locate("he")).allSatisfy(s -> assertThat(s.text()).isEqualToIgnoringCase("he"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Metformin", "chest pain", "CHF", "03/14/2019", "hospital day 2", "the patient", "He",
            "PCI with a drug eluting stent", "furosemid", "low sodium diet", "cardiolgy follow-up", "it", "2 weeks",
            "Ejection Fraction", "troponin was elevated", "90 % stenosis", "LAD."})
    void everySpanCoversTheTextItClaims(String phrase) {
        for (Span s : grounder.locate(phrase)) {
            assertThat(text(s)).isEqualTo(s.text());
            assertThat(s.end()).isGreaterThan(s.begin());
        }
    }

    @Test
    void groundingTalliesEachItemByItsBestMatch() {
        Grounding g = Grounding.of(List.of(grounder.locate("clopidogrel"), grounder.locate("Metformin"),
                grounder.locate("drug eluting stent"), grounder.locate("metformine"), grounder.locate("warfarin")));
        assertThat(g).isEqualTo(new Grounding(2, 1, 1, 1));
        assertThat(g.items()).isEqualTo(5);
        assertThat(g.allFound()).isFalse();
    }

    @Test
    void spansCannotClaimOtherText() {
        assertThatThrownBy(() -> new Span(0, 5, "abc", MatchKind.EXACT)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Span(4, 2, "", MatchKind.EXACT)).isInstanceOf(InvalidInputException.class);
    }
    @Test
    void groundsAPhraseWhereTheNoteAbbreviatesItInCapitals() {
        Grounder g = new Grounder(ClinicalNote.of("PMH: chronic HTN, type 2 DM, OSA on CPAP. Pe was not done. "
                + "Percutaneous coronary intervention (PCI) with a stent."));
        assertThat(g.locate("chronic hypertension")).extracting(Span::text).containsExactly("chronic HTN");
        assertThat(g.locate("type 2 diabetes mellitus")).extracting(Span::text).containsExactly("type 2 DM");
        assertThat(g.locate("obstructive sleep apnea")).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("OSA");
            assertThat(s.match()).isEqualTo(MatchKind.FUZZY);
        });
        // "Pe" is not written as an abbreviation
        assertThat(g.locateAbbreviated("pulmonary embolism")).isEmpty();
        // a match may not begin inside the note's own gloss "(PCI)"
        assertThat(g.locateAbbreviated("percutaneous coronary intervention with a stent"))
                .noneMatch(s -> s.text().startsWith("PCI)"));
        assertThat(g.locateAbbreviated("coronary artery disease")).isEmpty();
    }

    @Test
    void groundsTheLongestTailOfAPhraseTheNoteSays() {
        Grounder g = new Grounder(ClinicalNote.of("ANC 300. Stent thrombosis risk. Post-op pain controlled. "
                + "Elevated liver enzymes were absent; the liver was normal. Given for asthma exacerbation."));
        assertThat(g.locate("low ANC")).isEmpty();
        assertThat(g.locateOrShorter("low ANC")).extracting(Span::text).containsExactly("ANC");
        assertThat(g.locateOrShorter("post-operative pain")).extracting(Span::text).containsExactly("pain");
        assertThat(g.locateShorter("severe asthma exacerbation")).extracting(Span::text).containsExactly("asthma exacerbation");
        // never an inner run, never the object of a preposition, never a lone qualifier
        assertThat(g.locateShorter("markedly elevated liver")).extracting(Span::text).containsExactly("Elevated liver");
        assertThat(g.locateShorter("elevated liver function")).isEmpty();
        assertThat(g.locateShorter("occlusion after stent")).isEmpty();
        assertThat(g.locateShorter("very elevated")).isEmpty();
    }
}
