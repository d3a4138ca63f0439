package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ArchitectureSpecTest {

    /** Every layer kind a model file can describe, with non-default settings. */
    static Sequential everyKind(Random rng) {
        return new Sequential(
                new Linear(4, 8, rng), new Activation.LeakyReLU(0.2f),
                new Linear(8, 8, false, Init.heNormal(), rng), new Activation.ELU(0.5f),
                new Linear(8, 6, rng), new Activation.GELU(),
                new Linear(6, 6, rng), new Activation.Tanh(),
                new Linear(6, 5, rng), new Activation.Sigmoid(),
                new Linear(5, 5, rng), new Activation.ReLU(),
                new Linear(5, 3, rng), new Activation.Softmax(-1));
    }

    @Test
    void derivedFromASequential() {
        ArchitectureSpec spec = ArchitectureSpec.of(everyKind(new Random(1)));
        assertEquals(List.of(
                new LinearSpec(4, 8, true), new ActivationSpec("leaky_relu", Map.of("negative_slope", 0.2f)),
                new LinearSpec(8, 8, false), new ActivationSpec("elu", Map.of("alpha", 0.5f)),
                new LinearSpec(8, 6, true), ActivationSpec.named("gelu"),
                new LinearSpec(6, 6, true), ActivationSpec.named("tanh"),
                new LinearSpec(6, 5, true), ActivationSpec.named("sigmoid"),
                new LinearSpec(5, 5, true), ActivationSpec.named("relu"),
                new LinearSpec(5, 3, true), new ActivationSpec("softmax", Map.of("axis", -1))), spec.layers());
        assertEquals(OptionalInt.of(4), spec.inputSize());
        assertEquals(OptionalInt.of(3), spec.outputSize());
    }

    @Test
    void jsonRoundTripIsExact() {
        ArchitectureSpec spec = ArchitectureSpec.of(everyKind(new Random(1)));
        String json = spec.toJson();
        assertEquals(spec, ArchitectureSpec.fromJson(json));
        assertEquals(json, ArchitectureSpec.fromJson(json).toJson());
    }

    @Test
    void jsonFormIsTheDocumentedOne() {
        ArchitectureSpec spec = new ArchitectureSpec(new LinearSpec(4, 16, true),
                new ActivationSpec("leaky_relu", Map.of("negative_slope", 0.01f)), new LinearSpec(16, 3, false), new ActivationSpec("softmax", Map.of("axis", -1)));
        assertEquals("{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":["
                + "{\"type\":\"linear\",\"in\":4,\"out\":16,\"bias\":true},"
                + "{\"type\":\"leaky_relu\",\"negative_slope\":0.01},"
                + "{\"type\":\"linear\",\"in\":16,\"out\":3,\"bias\":false},"
                + "{\"type\":\"softmax\",\"axis\":-1}]}", spec.toJson());
    }

    @Test
    void awkwardFloatSettingsSurviveJsonExactly() {
        for (float slope : new float[] {0.1f, 1e-7f, 0.333333343f, Float.MIN_VALUE, 3.4028235e38f, -0.0f}) {
            ArchitectureSpec spec = new ArchitectureSpec(new ActivationSpec("leaky_relu", Map.of("negative_slope", slope)));
            ActivationSpec back = (ActivationSpec) ArchitectureSpec.fromJson(spec.toJson()).layers().get(0);
            assertEquals(Float.floatToRawIntBits(slope), Float.floatToRawIntBits(back.settings().get("negative_slope").floatValue()), "slope " + slope);
        }
    }

    @Test
    void rebuiltNetworkHasTheSameParametersAndGivesIdenticalPredictions() {
        Sequential original = everyKind(new Random(7));
        ArchitectureSpec spec = ArchitectureSpec.fromJson(ArchitectureSpec.of(original).toJson());
        Sequential rebuilt = spec.build(new Random(99));

        Map<String, int[]> shapes = spec.parameterShapes();
        assertEquals(List.copyOf(original.stateDict().keySet()), List.copyOf(shapes.keySet()));
        original.stateDict().forEach((name, t) -> assertArrayEquals(t.shape(), shapes.get(name), name));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "4.weight"), List.copyOf(shapes.keySet()).subList(0, 4));

        rebuilt.loadStateDict(original.stateDict());
        Tensor x = Tensor.randn(new Random(3), 10, 4);
        assertArrayEquals(original.forward(x).toFloatArray(), rebuilt.forward(x).toFloatArray());
        assertEquals(original.toString(), rebuilt.toString());
    }

    @Test
    void namedActivationsUseTheCommandLineDefaults() {
        assertEquals(new ActivationSpec("leaky_relu", Map.of("negative_slope", 0.01f)), ActivationSpec.named("leaky-relu"));
        assertEquals(new ActivationSpec("elu", Map.of("alpha", 1f)), ActivationSpec.named("ELU"));
        assertEquals(new ActivationSpec("softmax", Map.of("axis", -1)), ActivationSpec.named("softmax"));
        assertEquals("gelu", ActivationSpec.named("gelu").name());
        assertThrows(IllegalArgumentException.class, () -> ActivationSpec.named("swish"));
    }

    @Test
    void unsupportedModulesAreNamed() {
        Random rng = new Random(1);
        Module custom = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        };
        Sequential model = new Sequential(new Linear(2, 2, rng), new Identity(), new Activation.ReLU(),
                new Sequential(new Linear(2, 2, rng), new Identity()), custom);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.of(model));
        assertTrue(e.getMessage().contains("unsupported layers 1 (Identity), 3.1 (Identity), 4 ("
                + custom.getClass().getName() + ")"), e.getMessage());
    }

    @Test
    void linearSizesMustChain() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ArchitectureSpec(
                new LinearSpec(4, 8, true), ActivationSpec.named("relu"), new LinearSpec(7, 2, true)));
        assertTrue(e.getMessage().contains("layer 2 Linear(in=7, out=2, bias=true) takes 7 inputs but layer 0 "
                + "Linear(in=4, out=8, bias=true) gives 8"), e.getMessage());
    }

    @Test
    void badJsonIsReportedWithItsPlace() {
        String head = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[";
        assertBad(head + "{\"type\":\"linear\",\"in\":4,\"out\":2}]}", "architecture layer 0 (linear): missing \"bias\"");
        assertBad(head + "{\"type\":\"relu\",\"alpha\":1}]}", "layer 0 (relu): unexpected field \"alpha\"");
        assertBad(head + "{\"type\":\"swish\"}]}", "layer 0: unknown layer type 'swish'");
        assertBad(head + "{\"in\":3}]}", "layer 0: missing \"type\"");
        assertBad(head + "{\"type\":\"linear\",\"in\":4.5,\"out\":2,\"bias\":true}]}", "\"in\" must be a 32-bit integer");
        assertBad(head + "{\"type\":\"linear\",\"in\":1e10,\"out\":2,\"bias\":true}]}", "\"in\" must be a 32-bit integer");
        assertBad(head + "{\"type\":\"linear\",\"in\":0,\"out\":2,\"bias\":true}]}",
                "layer 0 (linear): LinearSpec: sizes must be positive");
        assertBad(head + "{\"type\":\"linear\",\"in\":2,\"out\":2,\"bias\":1}]}", "\"bias\" must be true or false");
        assertBad(head + "{\"type\":\"elu\",\"alpha\":\"1\"}]}", "\"alpha\" must be a finite number");
        assertBad(head + "{\"type\":\"elu\",\"alpha\":1e39}]}", "\"alpha\" must be a finite number");
        assertBad(head + "3]}", "architecture layer 0 must be a JSON object");
        assertBad("{\"format\":\"backprop.sequential\",\"version\":2,\"layers\":[]}", "version 2 is not supported");
        assertBad("{\"format\":\"keras\",\"version\":1,\"layers\":[]}", "format is 'keras'");
        assertBad("{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":{}}", "\"layers\" must be an array");
        assertBad("{\"format\":\"backprop.sequential\",\"version\":1}", "missing \"layers\"");
        assertBad(head + "]", "malformed JSON");
        assertBad(head + "]} x", "malformed JSON");
        assertBad("[]", "expected a JSON object");
    }

    @Test
    void emptyArchitectureIsAllowed() {
        ArchitectureSpec spec = ArchitectureSpec.fromJson(new ArchitectureSpec(List.of()).toJson());
        assertEquals(0, spec.build(new Random(0)).size());
        assertEquals(OptionalInt.empty(), spec.inputSize());
    }

    private static void assertBad(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.fromJson(json),
                json);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    /** A module a model file cannot describe. */
    static final class Identity extends Module {
        @Override
        public Tensor forward(Tensor input) {
            return input;
        }
    }
}
