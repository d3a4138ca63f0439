package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/** A case recorded from PyTorch by scripts/torch_rnn_fixtures.py (test resources, nn/torch/NAME.json). */
record TorchFixture(JsonObject json) {

    static TorchFixture load(String name) {
        try (InputStream in = TorchFixture.class.getResourceAsStream("torch/" + name + ".json")) {
            if (in == null) throw new IllegalStateException("missing fixture torch/" + name + ".json");
            return new TorchFixture(JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    int integer(String key) {
        return json.get(key).getAsInt();
    }

    boolean flag(String key) {
        return json.get(key).getAsBoolean();
    }

    String string(String key) {
        return json.get(key).getAsString();
    }

    int[] ints(String key) {
        if (!has(key)) return null;
        var a = json.getAsJsonArray(key);
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsInt();
        return v;
    }

    Tensor tensor(String key) {
        return decode(json.getAsJsonObject(key));
    }

    Map<String, Tensor> tensors(String key) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.getAsJsonObject(key).entrySet()) {
            out.put(e.getKey(), decode(e.getValue().getAsJsonObject()));
        }
        return out;
    }

    private static Tensor decode(JsonObject t) {
        var s = t.getAsJsonArray("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).getAsInt();
        var d = t.getAsJsonArray("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = d.get(i).getAsFloat();
        return Tensor.wrap(v, shape);
    }

    /** Same shape and |actual − expected| ≤ tol everywhere; the message names the first element off. */
    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(e[i] - a[i]);
            int at = i;
            assertTrue(diff <= tol, () -> what + " " + Shape.str(expected.shape()) + ": element " + at + " is " + a[at]
                    + ", PyTorch " + e[at] + " (|diff| " + diff + " > " + tol + ")");
        }
    }
}
