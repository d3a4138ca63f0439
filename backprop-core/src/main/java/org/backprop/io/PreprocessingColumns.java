package org.backprop.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.backprop.data.ColumnEncoding;

/**
 * The JSON of one {@link ColumnEncoding} in a model file's preprocessing:
 * {@code {"name": "Ozone", "fill": 31.5}} for a numeric column (no {@code fill} when gaps are not
 * filled), {@code {"name": "color", "categories": ["blue", "red"], "fill": "red"}} for a one-hot one.
 */
final class PreprocessingColumns {
    private PreprocessingColumns() {}

    private static final Set<String> FIELDS = Set.of("name", "categories", "fill");

    static JsonObject toJson(ColumnEncoding c) {
        JsonObject o = new JsonObject();
        o.addProperty("name", c.name());
        if (c.isCategorical()) {
            JsonArray a = new JsonArray();
            c.categories().forEach(a::add);
            o.add("categories", a);
            if (c.fillCategory() != null) o.addProperty("fill", c.fillCategory());
        } else if (!Float.isNaN(c.fill())) {
            o.addProperty("fill", c.fill());
        }
        return o;
    }

    static ColumnEncoding fromJson(JsonElement e, int i) {
        String where = "preprocessing \"columns\"[" + i + "]";
        if (!e.isJsonObject()) throw new IllegalArgumentException(where + " must be an object, found " + e);
        JsonObject o = e.getAsJsonObject();
        Json.requireFields(o, where, Set.of("name"), FIELDS);
        String name = Json.string(o.get("name"), where + " \"name\"");
        try {
            if (o.has("categories")) {
                JsonElement a = o.get("categories");
                if (!a.isJsonArray()) throw new IllegalArgumentException(where + " \"categories\" must be an array");
                List<String> cats = new ArrayList<>();
                for (int k = 0; k < a.getAsJsonArray().size(); k++) {
                    cats.add(Json.string(a.getAsJsonArray().get(k), where + " \"categories\"[" + k + "]"));
                }
                String fill = o.has("fill") ? Json.string(o.get("fill"), where + " \"fill\"") : null;
                return ColumnEncoding.categorical(name, cats, fill);
            }
            float fill = o.has("fill") ? Json.finiteFloat(o.get("fill"), where + " \"fill\"") : Float.NaN;
            return ColumnEncoding.numeric(name, fill);
        } catch (IllegalArgumentException ex) {
            throw ex.getMessage().startsWith("preprocessing") ? ex : new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
        }
    }
}
