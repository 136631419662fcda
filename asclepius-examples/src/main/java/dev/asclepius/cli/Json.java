package dev.asclepius.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * The program's JSON settings: no HTML escaping (clinical text has &lt; and &gt;), records by their
 * component names, and {@link java.util.Optional} as its content or {@code null} when empty. Nulls are
 * written rather than dropped so that every object of one kind has the same keys.
 */
final class Json {
    static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .serializeNulls()
            .registerTypeAdapterFactory(new OptionalTypeAdapterFactory())
            .create();

    private Json() {
    }
}
