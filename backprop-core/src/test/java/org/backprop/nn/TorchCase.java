package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** A case recorded from PyTorch by scripts/torch_attention_fixtures.py (test resources, attention/NAME.json). */
record TorchCase(JsonObject json) {
    static TorchCase load(String name) {
        try (InputStream in = TorchCase.class.getResourceAsStream("attention/" + name + ".json")) {
            if (in == null) throw new IllegalStateException("missing fixture attention/" + name + ".json");
            return new TorchCase(JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Tensor decode(JsonObject o) {
        var s = o.getAsJsonArray("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).getAsInt();
        var d = o.getAsJsonArray("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = d.get(i).getAsFloat();
        return Tensor.wrap(v, shape);
    }

    Tensor input(String name) {
        return decode(json.getAsJsonObject("inputs").getAsJsonObject(name)).requiresGrad(true);
    }

    Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        json.getAsJsonObject("state").entrySet().forEach(e -> out.put(e.getKey(), decode(e.getValue().getAsJsonObject())));
        return out;
    }

    Tensor get(String key) {
        return decode(json.getAsJsonObject(key));
    }

    Tensor grad(String name) {
        return decode(json.getAsJsonObject("grads").getAsJsonObject(name));
    }

    /**
     * Compares y (computed by {@code module} from {@code inputs}, with {@link #state()} loaded)
     * with PyTorch's output within 1e-5, then backpropagates Σ y·proj and compares the gradient
     * of every input and every parameter within 1e-4.
     */
    void verify(Module module, Map<String, Tensor> inputs, Tensor y) {
        assertClose("output", get("output"), y, 1e-5);
        y.mul(get("proj")).sum().backward();
        inputs.forEach((name, t) -> assertClose("gradient of input " + name, grad("input." + name), t.grad(), 1e-4));
        int checked = 0;
        for (var e : module.namedParameters().entrySet()) {
            assertClose("gradient of " + e.getKey(), grad(e.getKey()), e.getValue().grad(), 1e-4);
            checked++;
        }
        assertEquals(json.getAsJsonObject("grads").size(), checked + inputs.size(), "every recorded gradient compared");
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertEquals(Shape.str(expected.shape()), Shape.str(actual.shape()), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, what + ": element " + i);
        }
    }
}
