package org.backprop.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link LogMel#FSDD} and {@link AudioFeatures} against values computed with the PyTorch peer's
 * formulas ({@code scripts/logmel_reference.py}, which copies {@code torch_fsdd.py}'s mel_filters,
 * log_mel and standardisation into numpy).
 */
class LogMelReferenceTest {
    private static JsonObject fixture() throws IOException {
        try (InputStream in = LogMelReferenceTest.class.getResourceAsStream("logmel_reference.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    /** The script's int16 recipe: a tone plus noise from a 31-bit linear congruential generator. */
    static float[] recording(int n, int freq, long seed, long[] sum) {
        float[] x = new float[n];
        long s = seed;
        for (int t = 0; t < n; t++) {
            s = (s * 1103515245L + 12345) % (1L << 31);
            int v = (int) Math.round(9000 * Math.sin(2 * Math.PI * freq * t / 8000.0)) + (int) (s >> 19) - 2048;
            sum[0] += v;
            x[t] = v / 32768f;
        }
        return x;
    }

    @Test
    void filterBankMatches() throws IOException {
        double[][] fb = LogMel.FSDD.filters();
        int nonZero = 0;
        for (double[] row : fb) for (double v : row) if (v != 0) nonZero++;
        JsonArray want = fixture().getAsJsonArray("filters");
        assertEquals(want.size(), nonZero, "non-zero weights");
        for (JsonElement e : want) {
            JsonArray w = e.getAsJsonArray();
            int m = w.get(0).getAsInt(), k = w.get(1).getAsInt();
            assertEquals(w.get(2).getAsDouble(), fb[m][k], 1e-10, "filter " + m + " bin " + k);
        }
    }

    @Test
    void spectrogramsAndStandardisationMatch() throws IOException {
        JsonObject fx = fixture();
        JsonArray cases = fx.getAsJsonArray("cases");
        LogMel.Calculator calc = LogMel.FSDD.calculator();
        float[] spec = new float[cases.size() * LogMel.FSDD.size()];
        for (int c = 0; c < cases.size(); c++) {
            JsonObject k = cases.get(c).getAsJsonObject();
            long[] sum = {0};
            float[] x = recording(k.get("n").getAsInt(), k.get("freq").getAsInt(), k.get("seed").getAsLong(), sum);
            assertEquals(k.get("sample_sum").getAsLong(), sum[0], "the two sides generate the same recording");
            calc.compute(x, spec, c * LogMel.FSDD.size());
            JsonArray want = k.getAsJsonArray("log_mel_every_7th");
            for (int i = 0; i < want.size(); i++) {
                float got = spec[c * LogMel.FSDD.size() + 7 * i];
                assertEquals(want.get(i).getAsDouble(), got, 2e-4, "case " + c + " value " + 7 * i);
            }
        }
        AudioFeatures f = AudioFeatures.fit(LogMel.FSDD, AudioFeatures.Layout.IMAGE, spec, cases.size());
        JsonArray means = fx.getAsJsonArray("band_means"), stds = fx.getAsJsonArray("band_stds");
        for (int b = 0; b < 40; b++) {
            assertEquals(means.get(b).getAsDouble(), f.bandMeans()[b], 1e-4, "band mean " + b);
            assertEquals(stds.get(b).getAsDouble(), f.bandStds()[b], 1e-4 * stds.get(b).getAsDouble(), "band std " + b);
        }
        f.standardize(spec, cases.size());
        for (int c = 0; c < cases.size(); c++) {
            JsonArray want = cases.get(c).getAsJsonObject().getAsJsonArray("standardized_every_7th");
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).getAsDouble(), spec[c * LogMel.FSDD.size() + 7 * i], 2e-4, "case " + c + " standardised " + 7 * i);
            }
        }
    }

    /** Silence in front of a short recording is exactly log(10⁻⁶): the zeros really lead. */
    @Test
    void shortRecordingIsRightAligned() {
        float[] x = new float[800];
        java.util.Arrays.fill(x, 0.25f);
        float[] s = LogMel.FSDD.calculator().compute(x);
        float silent = (float) Math.log(1e-6);
        for (int b = 0; b < 40; b++) {
            assertEquals(silent, s[b * 100], 0f, "band " + b + " frame 0");
            assertEquals(silent, s[b * 100 + 85], 0f, "band " + b + " frame 85 ends before sample 7200");
        }
        assertEquals(true, s[99] > -5, "the DC band sees the recording in the last frame");
    }

    @Test
    void settingsAndJsonRoundTrip() {
        float[] mean = new float[40], std = new float[40];
        for (int b = 0; b < 40; b++) {
            mean[b] = -3 + b * 0.1f;
            std[b] = 1 + b * 0.01f;
        }
        AudioFeatures f = new AudioFeatures(LogMel.FSDD, AudioFeatures.Layout.SEQUENCE, mean, std);
        assertEquals(f, AudioFeatures.fromJson(f.toJson()));
        assertThrows(IllegalArgumentException.class, () -> AudioFeatures.fromJson("[1]"));
        assertThrows(IllegalArgumentException.class, () -> AudioFeatures.fromJson(f.toJson().replace("\"hop\":80", "\"hop\":0")));
        assertThrows(IllegalArgumentException.class, () -> AudioFeatures.fromJson(f.toJson().replace("\"mels\":40", "\"mels\":39")));
        assertThrows(IllegalArgumentException.class, () -> AudioFeatures.fromJson(f.toJson().replace("\"hop\"", "\"hops\"")));
        assertThrows(IllegalArgumentException.class, () -> new LogMel(8000, 8000, 256, 80, 100, 40, 0, 5000, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new LogMel(8000, 8000, 16, 80, 100, 200, 0, 4000, 1e-6).filters());
    }

    @Test
    void sequenceLayoutTransposesFrames() {
        LogMel m = new LogMel(8000, 800, 64, 40, 3, 4, 0, 4000, 1e-6);
        float[] spec = new float[2 * 12];
        for (int i = 0; i < spec.length; i++) spec[i] = i;
        var f = new AudioFeatures(m, AudioFeatures.Layout.SEQUENCE, new float[4], new float[] {1, 1, 1, 1});
        var t = f.toInput(spec, 2);
        assertEquals(java.util.List.of(2, 3, 4), java.util.Arrays.stream(t.shape()).boxed().toList());
        assertEquals(12 + 2 * 3 + 1, t.get(1, 1, 2), 0f); // recording 1, band 2, frame 1
    }
}
