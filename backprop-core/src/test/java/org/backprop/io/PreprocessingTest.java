package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.io.Preprocessing.Task;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

    static Preprocessing regression() {
        return new Preprocessing(Task.REGRESSION, List.of("age", "höhe \"m\"", "<weight>"), "price",
                new float[] {0.1f, -3.5e-8f, 12345.678f}, new float[] {1f, 1e-30f, 3.4028235e38f},
                new float[] {250000.5f}, new float[] {0.3333333f});
    }

    @Test
    void jsonRoundTripIsExact() {
        Preprocessing p = regression();
        Preprocessing back = Preprocessing.fromJson(p.toJson());
        assertEquals(p, back);
        assertEquals(p.hashCode(), back.hashCode());
        assertArrayEquals(p.featureMeans(), back.featureMeans());
        assertEquals(List.of("age", "höhe \"m\"", "<weight>"), back.featureNames());
        assertTrue(p.toJson().contains("<weight>"), "no HTML escaping: " + p.toJson());
    }

    @Test
    void labelsMissingPolicyAndColumnEncodingsRoundTrip() {
        var columns = List.of(org.backprop.data.ColumnEncoding.numeric("Ozone", 31.5f),
                org.backprop.data.ColumnEncoding.numeric("Wind", Float.NaN),
                org.backprop.data.ColumnEncoding.categorical("color", List.of("blue", "red, dark"), "red, dark"));
        Preprocessing p = new Preprocessing(Task.CLASSIFICATION, List.of("Ozone", "Wind", "color=blue", "color=red, dark"),
                "kind", null, null, null, null, List.of("barbera", "grignolino"), org.backprop.data.MissingPolicy.MEDIAN,
                columns);
        Preprocessing back = Preprocessing.fromJson(p.toJson());
        assertEquals(p, back);
        assertEquals(List.of("barbera", "grignolino"), back.classNames());
        assertEquals(org.backprop.data.MissingPolicy.MEDIAN, back.missing());
        assertTrue(Float.isNaN(back.columns().get(1).fill()));
        assertEquals("red, dark", back.columns().get(2).fillCategory());
        assertBad(() -> new Preprocessing(null, List.of("a"), null, null, null, null, null, null, null, columns), "encode 4");
        assertBad(() -> Preprocessing.fromJson("{\"columns\": [{\"name\": \"c\", \"categories\": [\"a\"], \"fill\": \"b\"}]}"),
                "fill category 'b'");
    }

    @Test
    void absentPartsStayAbsent() {
        Preprocessing p = new Preprocessing(Task.CLASSIFICATION, null, "species", null, null, null, null);
        assertEquals("{\"task\":\"classification\",\"target_name\":\"species\"}", p.toJson());
        Preprocessing back = Preprocessing.fromJson(p.toJson());
        assertEquals(p, back);
        assertNull(back.featureMeans());
        assertEquals(-1, back.featureCount());
        assertTrue(Preprocessing.none().isEmpty());
        assertEquals("{}", Preprocessing.none().toJson());
        assertEquals(Preprocessing.none(), Preprocessing.fromJson("{}"));
    }

    @Test
    void arraysAreCopiedInAndOut() {
        float[] means = {1f, 2f};
        Preprocessing p = new Preprocessing(null, null, null, means, new float[] {1f, 1f}, null, null);
        means[0] = 99f;
        p.featureMeans()[1] = 99f;
        assertArrayEquals(new float[] {1f, 2f}, p.featureMeans());
        assertNotEquals(p, new Preprocessing(null, null, null, new float[] {1f, 3f}, new float[] {1f, 1f}, null, null));
    }

    @Test
    void inconsistentStatisticsAreRefused() {
        assertBad(() -> new Preprocessing(null, null, null, new float[] {1f}, null, null, null), "only the means");
        assertBad(() -> new Preprocessing(null, null, null, new float[] {1f}, new float[] {1f, 2f}, null, null),
                "1 feature means but 2 standard deviations");
        assertBad(() -> new Preprocessing(null, null, null, new float[] {1f}, new float[] {0f}, null, null),
                "feature standard deviation 0 is 0.0; it must be finite and positive");
        assertBad(() -> new Preprocessing(null, null, null, null, null, new float[] {Float.NaN}, new float[] {1f}),
                "target mean 0 is NaN");
        assertBad(() -> new Preprocessing(null, List.of("a"), null, new float[] {1f, 2f}, new float[] {1f, 1f}, null,
                null), "1 feature names but 2 feature means");
    }

    @Test
    void badJsonIsReported() {
        assertBad(() -> Preprocessing.fromJson("{\"task\":\"clustering\"}"), "unknown task 'clustering'");
        assertBad(() -> Preprocessing.fromJson("{\"feature_means\":[1,\"x\"],\"feature_stds\":[1,1]}"),
                "\"feature_means\"[1] must be a finite number");
        assertBad(() -> Preprocessing.fromJson("{\"featur_means\":[1]}"), "unexpected field \"featur_means\"");
        assertBad(() -> Preprocessing.fromJson("{\"feature_names\":\"a\"}"), "\"feature_names\" must be an array");
        assertBad(() -> Preprocessing.fromJson("{\"feature_stds\":[1]}"), "only the standard deviations");
        assertBad(() -> Preprocessing.fromJson("{\"task\":"), "malformed JSON");
    }

    private static void assertBad(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
