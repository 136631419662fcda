package dev.asclepius.core.internal.wire;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Strict field access for {@link CompletionCodec}: each reader either returns the field's value (or the
 * default when it is absent or JSON null) or throws a {@link WireException} naming the field and what it
 * should have been. Integers must be integral numbers within int range (1e3 is accepted, 1.5 is not).
 */
final class JsonFields {
    private JsonFields() {
    }

    static JsonObject parseObject(String text, String what) {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("unexpected text after the JSON value");
            }
            if (!e.isJsonObject()) {
                throw new WireException(what + " must be a JSON object, got: " + CompletionCodec.abbreviate(text), null);
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new WireException(what + " is not valid JSON: " + e.getMessage() + ": " + CompletionCodec.abbreviate(text), null, e);
        }
    }

    static List<Integer> intList(JsonElement e, String key) {
        if (isAbsent(e)) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw new WireException("'" + key + "' must be an array of integers", key);
        }
        List<Integer> out = new ArrayList<>(e.getAsJsonArray().size());
        for (JsonElement id : e.getAsJsonArray()) {
            if (!isInt(id)) {
                throw new WireException("'" + key + "' must be an array of integers", key);
            }
            out.add(id.getAsInt());
        }
        return out;
    }

    static JsonArray ints(List<Integer> ids) {
        JsonArray a = new JsonArray(ids.size());
        ids.forEach(a::add);
        return a;
    }

    static boolean isAbsent(JsonElement e) {
        return e == null || e.isJsonNull();
    }

    static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    static boolean isInt(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        double d = e.getAsDouble();
        return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE;
    }

    static Optional<String> optString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (isAbsent(e)) {
            return Optional.empty();
        }
        if (!isString(e)) {
            throw new WireException("'" + key + "' must be a string, got " + e, key);
        }
        return Optional.of(e.getAsString());
    }

    /** A string field of an error object; anything else reads as absent (error bodies are read leniently). */
    static Optional<String> lenientString(JsonObject o, String key) {
        return isString(o.get(key)) ? Optional.of(o.get(key).getAsString()) : Optional.empty();
    }

    static OptionalInt optInt(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return isAbsent(e) ? OptionalInt.empty() : OptionalInt.of(intOr(o, key, 0));
    }

    static int intOr(JsonObject o, String key, int fallback) {
        JsonElement e = o.get(key);
        if (isAbsent(e)) {
            return fallback;
        }
        if (!isInt(e)) {
            throw new WireException("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsInt();
    }

    static long longValue(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw new WireException("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsLong();
    }

    static float floatOr(JsonObject o, String key, float fallback) {
        JsonElement e = o.get(key);
        if (isAbsent(e)) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new WireException("'" + key + "' must be a number, got " + e, key);
        }
        return e.getAsFloat();
    }

    static boolean boolOr(JsonObject o, String key, boolean fallback) {
        JsonElement e = o.get(key);
        if (isAbsent(e)) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new WireException("'" + key + "' must be true or false, got " + e, key);
        }
        return e.getAsBoolean();
    }
}
