package dev.asclepius.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.tasks.NormalizedTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Postpartum days are relative days of their own kind, like post-operative days (found on held-out part D). */
class PostpartumDayTest {
    @Test
    void postpartumDaysAreRelativeDays() {
        List<TimeExpressions.Found> found = TimeExpressions.find("Discharged on PPD#2, readmitted on postpartum day 6, seen on POD 1.");
        assertThat(found).extracting(TimeExpressions.Found::text).containsExactly("PPD#2", "postpartum day 6", "POD 1");
        assertThat(found).extracting(f -> f.normalized().map(NormalizedTime::value).orElse(""))
                .containsExactly("postpartum-day:2", "postpartum-day:6", "post-operative-day:1");
        assertThat(found.get(0).normalized().get().kind()).isEqualTo(NormalizedTime.Kind.RELATIVE_DAY);
    }
}
