package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A realistic discharge summary and an independent way to compute the spans a phrase should get. */
public final class Fixtures {
    private Fixtures() {
    }

    public static final String TEXT = """
            Discharge Summary

            Patient: 67-year-old male
            Admission Date: 03/14/2019
            Discharge Date: 03/20/2019

            History of Present Illness: The patient is a 67-year-old man with a history of hypertension (HTN), \
            type 2 diabetes mellitus (DM2) and congestive heart failure (CHF) who presented with shortness of breath \
            and chest pain. He is a former smoker (quit 10 years ago) and drinks alcohol occasionally.

            Hospital Course: On admission, troponin was elevated at 0.8 ng/mL. An ECG showed ST depression in the \
            lateral leads. A chest X-ray revealed mild pulmonary edema. Echocardiogram showed an ejection fraction \
            of 35%. He underwent cardiac catheterization on hospital day 2, which showed a 90% stenosis of the LAD. \
            Percutaneous coronary intervention (PCI) with a drug-eluting stent was performed on 03/16/2019. He was \
            treated with IV furosemide for 3 days for CHF exacerbation. His shortness of breath improved.

            Discharge Medications:
            1. Metformin 500 mg PO BID
            2. Lisinopril 10 mg PO daily
            3. Aspirin 81 mg daily
            4. Clopidogrel 75 mg daily for 12 months
            5. Atorvastatin 80 mg nightly
            6. Furosemide 40 mg PO daily

            Discharge Instructions: The patient was advised to follow a low-sodium diet and to walk 30 minutes \
            daily. He should take clopidogrel every day; it must not be stopped without talking to his \
            cardiologist. Follow-up with cardiology in 2 weeks. Repeat echocardiogram in 3 months. HbA1c should be \
            rechecked at the next PCP visit.
            """;

    public static final ClinicalNote NOTE = ClinicalNote.of(TEXT);

    /**
     * Every whole-word, case-insensitive occurrence of {@code phrase} (whitespace and punctuation between
     * words free), EXACT where the note's text equals the phrase. Written independently of the Grounder.
     */
    public static List<Span> spans(String phrase) {
        String[] words = phrase.strip().split("[^\\p{Alnum}]+");
        StringBuilder re = new StringBuilder("(?i)(?<![\\p{Alnum}])");
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                re.append("[^\\p{Alnum}]+");
            }
            re.append(Pattern.quote(words[i]));
        }
        re.append("(?![\\p{Alpha}])");
        List<Span> out = new ArrayList<>();
        Matcher m = Pattern.compile(re.toString()).matcher(TEXT);
        while (m.find()) {
            MatchKind kind = m.group().equals(phrase) ? MatchKind.EXACT : MatchKind.NORMALIZED;
            out.add(new Span(m.start(), m.end(), m.group(), kind));
        }
        return out;
    }

    /** {@link #spans(String)} with every span marked {@code kind} (for the expected results of fuzzy matching). */
    public static List<Span> spans(String phrase, MatchKind kind) {
        return spans(phrase).stream().map(s -> new Span(s.begin(), s.end(), s.text(), kind)).toList();
    }

    /** The single occurrence of {@code noteText} (verbatim) as a fuzzy span. */
    public static List<Span> fuzzy(String noteText) {
        int at = TEXT.indexOf(noteText);
        assertThat(at).as("fixture text '%s' in note", noteText).isGreaterThanOrEqualTo(0);
        assertThat(TEXT.indexOf(noteText, at + 1)).isEqualTo(-1);
        return List.of(new Span(at, at + noteText.length(), noteText, MatchKind.FUZZY));
    }

    /** The invariant every span must keep. */
    public static void assertValid(List<Span> spans) {
        for (Span s : spans) {
            assertThat(TEXT.substring(s.begin(), s.end())).isEqualTo(s.text());
        }
    }
}
