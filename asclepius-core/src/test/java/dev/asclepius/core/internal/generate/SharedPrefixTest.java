package dev.asclepius.core.internal.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SharedPrefixTest {
    private static int[] seq(int from, int to, int... tail) {
        int[] out = new int[to - from + tail.length];
        for (int i = from; i < to; i++) {
            out[i - from] = i;
        }
        System.arraycopy(tail, 0, out, to - from, tail.length);
        return out;
    }

    @Test
    void longestCommonPrefixLeavingEachPromptOneOwnToken() {
        assertThat(BatchLayout.sharedPrefix(List.of(seq(0, 20, 7, 8), seq(0, 20, 9)))).isEqualTo(20);
        // One prompt is the prefix itself: its last token must still run in the batched pass.
        assertThat(BatchLayout.sharedPrefix(List.of(seq(0, 20), seq(0, 20, 5)))).isEqualTo(19);
        // Diverging early: not worth a separate pass.
        assertThat(BatchLayout.sharedPrefix(List.of(seq(0, 5, 1, 2, 3, 4, 5, 6), seq(0, 5, 9, 9, 9, 9, 9, 9)))).isZero();
        assertThat(BatchLayout.sharedPrefix(List.of(seq(0, 30)))).isZero();
    }
}
