package org.backprop.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.backprop.shape.Window2d;

/**
 * One layer's JSON object while it is read or written, with typed accessors whose errors name
 * the layer and field ({@code architecture layer 3 (conv2d) "stride" must be ...}).
 */
public final class LayerJson {
    private final JsonObject json;
    private final String at;

    LayerJson(JsonObject json, String at) {
        this.json = json;
        this.at = at;
    }

    /** Where this layer sits, for error messages: e.g. {@code architecture layer 2 (linear)}. */
    public String at() {
        return at;
    }

    public int integer(String field) {
        return Json.integer(json.get(field), what(field));
    }

    public boolean bool(String field) {
        return Json.bool(json.get(field), what(field));
    }

    /** A finite float, parsed from the literal so what {@link Float#toString} wrote comes back exactly. */
    public float finiteFloat(String field) {
        return Json.finiteFloat(json.get(field), what(field));
    }

    /** An array of integers, of exactly {@code length} entries (any non-zero number when {@code length} is −1). */
    public List<Integer> ints(String field, int length) {
        JsonElement e = json.get(field);
        if (e == null || !e.isJsonArray() || (length >= 0 ? e.getAsJsonArray().size() != length : e.getAsJsonArray().isEmpty())) {
            throw new IllegalArgumentException(what(field) + " must be an array of " + (length >= 0 ? length + " integers"
                    : "integers") + ", found " + e);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) out.add(Json.integer(x, what(field) + " entry"));
        return out;
    }

    /** {@code kernel}, {@code stride}, {@code padding} (and {@code dilation} when asked, else 1) as [height, width] pairs. */
    public Window2d window(boolean dilation) {
        List<Integer> k = ints("kernel", 2);
        List<Integer> s = ints("stride", 2);
        List<Integer> p = ints("padding", 2);
        List<Integer> d = dilation ? ints("dilation", 2) : List.of(1, 1);
        return new Window2d(k.get(0), k.get(1), s.get(0), s.get(1), p.get(0), p.get(1), d.get(0), d.get(1));
    }

    /** A nested list of layers, each read through {@link LayerTypes}. */
    public List<LayerSpec> layers(String field) {
        return LayerTypes.readAll(json.get(field), at);
    }

    private String what(String field) {
        return at + " \"" + field + "\"";
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code kernel}, {@code stride}, {@code padding} (and {@code dilation}) as [height, width] pairs. */
    public static void putWindow(JsonObject o, Window2d w, boolean dilation) {
        o.add("kernel", ints(w.kh(), w.kw()));
        o.add("stride", ints(w.sh(), w.sw()));
        o.add("padding", ints(w.ph(), w.pw()));
        if (dilation) o.add("dilation", ints(w.dh(), w.dw()));
    }

    public static JsonArray ints(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) a.add(v);
        return a;
    }

    public static JsonArray ints(List<Integer> values) {
        JsonArray a = new JsonArray();
        for (int v : values) a.add(v);
        return a;
    }
}
