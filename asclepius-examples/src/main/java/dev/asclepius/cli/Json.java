package dev.asclepius.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The program's JSON settings: stable field names, no HTML escaping (clinical text has < and >). */
final class Json {
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private Json() {
    }
}
