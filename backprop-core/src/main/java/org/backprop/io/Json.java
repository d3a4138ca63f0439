package org.backprop.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Set;

/** Small strict-JSON helpers for the metadata documents of model files, with errors that say where. */
final class Json {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final int MAX_MESSAGE = 160;

    private Json() {}

    static String write(JsonElement e) {
        return GSON.toJson(e);
    }

    /** Strict JSON (no comments, single quotes or trailing content) holding one object. */
    static JsonObject parseObject(String json, String what) {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException(what + ": content after the JSON object");
            }
            if (!e.isJsonObject()) throw new IllegalArgumentException(what + ": expected a JSON object, found " + e);
            return e.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(what + ": malformed JSON: " + problem(e), e);
        }
    }

    /**
     * Gson's message without the exception class name, its advice to parse leniently and its
     * troubleshooting link (all addressed to programmers), cut short if long (deep paths).
     */
    static String problem(Exception e) {
        Throwable t = e instanceof JsonParseException && e.getCause() != null ? e.getCause() : e;
        String m = String.valueOf(t.getMessage());
        int see = m.indexOf("\nSee ");
        if (see >= 0) m = m.substring(0, see);
        m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "syntax error");
        return m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE) + "...";
    }

    static void requireFields(JsonObject o, String where, Set<String> required, Set<String> allowed) {
        for (String k : required) {
            if (!o.has(k)) throw new IllegalArgumentException(where + ": missing \"" + k + "\"");
        }
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) throw new IllegalArgumentException(where + ": unexpected field \"" + k + "\"");
        }
    }

    static String string(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p && p.isString()) return p.getAsString();
        throw new IllegalArgumentException(what + " must be a string, found " + e);
    }

    static boolean bool(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p && p.isBoolean()) return p.getAsBoolean();
        throw new IllegalArgumentException(what + " must be true or false, found " + e);
    }

    static int integer(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            try {
                return new BigDecimal(p.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException(what + " must be a 32-bit integer, found " + e);
    }

    /** Parsed from the literal as a float, so what {@link Float#toString} wrote comes back exactly. */
    static float finiteFloat(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            float f = Float.parseFloat(p.getAsString());
            if (Float.isFinite(f)) return f;
        }
        throw new IllegalArgumentException(what + " must be a finite number, found " + e);
    }
}
