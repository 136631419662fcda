package dev.asclepius.core.internal.wire;

import java.util.List;
import java.util.Objects;

/** The {@code prompt} of a completion request: text (the server tokenizes it) or token ids (used as given). */
public sealed interface Prompt {

    /** Text; the server tokenizes it and adds BOS. */
    record Text(String value) implements Prompt {
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Token ids, sent as a JSON array of integers. */
    record TokenIds(List<Integer> ids) implements Prompt {
        public TokenIds {
            ids = List.copyOf(ids);
        }

        public static TokenIds of(int[] ids) {
            return new TokenIds(java.util.Arrays.stream(ids).boxed().toList());
        }

        public int[] toArray() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
