package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.NormalizedTime.Kind;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import dev.asclepius.tasks.internal.TimelineTask;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TimelineParserTest {

    /** An event whose event text and time are grounded the plain way (exact/normalized or not at all). */
    static TimelineEvent ev(int order, String event, String time, Kind kind, String value) {
        return ev(order, event, Fixtures.spans(event), time, kind, value);
    }

    static TimelineEvent ev(int order, String event, List<Span> eventSpans, String time, Kind kind, String value) {
        Optional<NormalizedTime> n = kind == null ? Optional.empty() : Optional.of(new NormalizedTime(kind, value));
        return new TimelineEvent(order, event, time, n, eventSpans, Fixtures.spans(time));
    }

    // A duration keeps its preposition ("in 2 weeks", "for 3 days"): "in 2 weeks" is when, "for 3 days" how long
    // (issue #10); its normalized value is the same ISO duration either way.
    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("colon lines", false, """
                        Admission: 03/14/2019
                        Discharge: 03/20/2019""",
                        List.of(ev(1, "Admission", "03/14/2019", Kind.DATE, "2019-03-14"),
                                ev(2, "Discharge", "03/20/2019", Kind.DATE, "2019-03-20"))),
                Arguments.of("date first with dash, fuzzy event", false,
                        "- 03/16/2019 - Percutaneous coronary intervention with a drug-eluting stent",
                        List.of(ev(1, "Percutaneous coronary intervention with a drug-eluting stent",
                                Fixtures.fuzzy("Percutaneous coronary intervention (PCI) with a drug-eluting stent"),
                                "03/16/2019", Kind.DATE, "2019-03-16"))),
                Arguments.of("relative hospital day in prose", false,
                        "On hospital day 2, the patient underwent cardiac catheterization.",
                        List.of(ev(1, "underwent cardiac catheterization", "hospital day 2", Kind.RELATIVE_DAY,
                                "hospital-day:2"))),
                Arguments.of("duration in prose", false, "He was treated with IV furosemide for 3 days.",
                        List.of(ev(1, "treated with IV furosemide", "for 3 days", Kind.DURATION, "P3D"))),
                Arguments.of("two dates in one sentence", false,
                        "The patient was admitted on 03/14/2019 and discharged on 03/20/2019.",
                        List.of(ev(1, "admitted", "03/14/2019", Kind.DATE, "2019-03-14"),
                                ev(2, "discharged", Fixtures.spans("Discharge", MatchKind.FUZZY), "03/20/2019",
                                        Kind.DATE, "2019-03-20"))),
                Arguments.of("follow-up in weeks", false, "Follow-up with cardiology in 2 weeks.",
                        List.of(ev(1, "Follow-up with cardiology", "in 2 weeks", Kind.DURATION, "P2W"))),
                Arguments.of("month name date not in note", false, "- March 16, 2019: PCI with drug-eluting stent",
                        List.of(ev(1, "PCI with drug-eluting stent", Fixtures.fuzzy("PCI) with a drug-eluting stent"),
                                "March 16, 2019", Kind.DATE, "2019-03-16"))),
                Arguments.of("nothing found", false,
                        "There is no information about follow-up appointments in the discharge summary.", List.of()),
                Arguments.of("truncated", true, """
                        1. Admission: 03/14/2019
                        2. Cardiac catheterization: hospital day 2
                        3. PCI: 03/1""",
                        List.of(ev(1, "Admission", "03/14/2019", Kind.DATE, "2019-03-14"),
                                ev(2, "Cardiac catheterization", "hospital day 2", Kind.RELATIVE_DAY, "hospital-day:2"))),
                Arguments.of("post-operative day, fuzzy event", false,
                        "Post-operative day 2: shortness of breath resolved",
                        List.of(ev(1, "shortness of breath resolved", Fixtures.spans("shortness of breath", MatchKind.FUZZY),
                                "Post-operative day 2", Kind.RELATIVE_DAY, "post-operative-day:2"))),
                Arguments.of("range shares its event", false,
                        "The duration of the hospital stay was 6 days, from 03/14/2019 to 03/20/2019.",
                        List.of(ev(1, "The duration of the hospital stay", List.of(), "6 days", Kind.DURATION, "P6D"),
                                ev(2, "The duration of the hospital stay", List.of(), "03/14/2019", Kind.DATE, "2019-03-14"),
                                ev(3, "The duration of the hospital stay", List.of(), "03/20/2019", Kind.DATE, "2019-03-20"))),
                Arguments.of("date with time of day", false, "Last dose of IV furosemide: 03/17/2019 at 08:00",
                        List.of(new TimelineEvent(1, "Last dose of IV furosemide", "03/17/2019 at 08:00",
                                Optional.of(new NormalizedTime(Kind.DATE, "2019-03-17")), List.of(), List.of()))),
                Arguments.of("lasted", false, "The hospital stay lasted 6 days.",
                        List.of(ev(1, "The hospital stay", List.of(), "6 days", Kind.DURATION, "P6D"))),
                Arguments.of("GPT bullets with preamble and months", false, """
                        Here are the temporal references mentioned in the discharge summary:
                        - Repeat echocardiogram: in 3 months
                        - Clopidogrel: for 12 months""",
                        List.of(ev(1, "Repeat echocardiogram", "in 3 months", Kind.DURATION, "P3M"),
                                ev(2, "Clopidogrel", "for 12 months", Kind.DURATION, "P12M"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void parsesAnswer(String name, boolean truncated, String answer, List<TimelineEvent> expected) {
        Timeline got = TimelineTask.parseAnswer(new Grounder(Fixtures.NOTE), new Reply(answer, truncated));
        assertThat(got.events()).containsExactlyElementsOf(expected);
        got.events().forEach(e -> {
            Fixtures.assertValid(e.eventSpans());
            Fixtures.assertValid(e.timeSpans());
        });
    }
}
