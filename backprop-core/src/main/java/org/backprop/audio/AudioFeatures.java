package org.backprop.audio;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.backprop.io.ModelFile;
import org.backprop.io.ModelFileException;
import org.backprop.tensor.Tensor;

/**
 * Everything a model needs to turn raw recordings into its input: the {@link LogMel} settings,
 * each band's mean and standard deviation over the training frames, and the layout the network
 * reads. Saved in the model file (see {@code ModelFile.AUDIO_KEY}) so that {@code predict} takes
 * WAV files.
 *
 * <p>Standardisation is the peer's: statistics in double over every frame of every training
 * recording (ddof 0), applied in float as {@code (x − (float) mean) / (float) std}.
 *
 * @param logMel    the spectrogram settings
 * @param layout    how a spectrogram is laid out for the network
 * @param bandMeans per-band means, one per mel band
 * @param bandStds  per-band standard deviations, finite and positive
 */
public record AudioFeatures(LogMel logMel, Layout layout, float[] bandMeans, float[] bandStds) {

    /** How one recording's spectrogram is shaped for the network. */
    public enum Layout {
        /** [1, mels, frames]: a one-channel image for 2-D convolutions. */
        IMAGE,
        /** [frames, mels]: a sequence of frames for recurrent layers. */
        SEQUENCE;

        /** The shape of one sample. */
        public int[] sampleShape(LogMel m) {
            return this == IMAGE ? new int[] {1, m.mels(), m.frames()} : new int[] {m.frames(), m.mels()};
        }
    }

    private static final Set<String> FIELDS = Set.of("sample_rate", "window_samples", "frame_length", "hop", "frames",
            "mels", "min_hz", "max_hz", "log_floor", "layout", "band_means", "band_stds");

    public AudioFeatures {
        Objects.requireNonNull(logMel, "logMel");
        Objects.requireNonNull(layout, "layout");
        bandMeans = bandMeans.clone();
        bandStds = bandStds.clone();
        if (bandMeans.length != logMel.mels() || bandStds.length != logMel.mels()) {
            throw new IllegalArgumentException("audio features: " + bandMeans.length + " band means and " + bandStds.length
                    + " standard deviations for " + logMel.mels() + " mel bands");
        }
        for (int b = 0; b < bandStds.length; b++) {
            if (!Float.isFinite(bandMeans[b])) throw new IllegalArgumentException("audio features: band mean " + b + " is " + bandMeans[b]);
            if (!(Float.isFinite(bandStds[b]) && bandStds[b] > 0)) {
                throw new IllegalArgumentException("audio features: band standard deviation " + b + " is " + bandStds[b]
                        + "; it must be finite and positive");
            }
        }
    }

    /**
     * Fits the per-band statistics on {@code count} spectrograms laid out back to back in
     * {@code spectrograms} (each mels × frames, as {@link LogMel.Calculator#compute} gives them).
     */
    public static AudioFeatures fit(LogMel logMel, Layout layout, float[] spectrograms, int count) {
        int mels = logMel.mels(), frames = logMel.frames();
        if (count < 1) throw new IllegalArgumentException("audio features: no training recordings to fit the band statistics on");
        float[] mean = new float[mels], std = new float[mels];
        for (int b = 0; b < mels; b++) {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                int at = i * logMel.size() + b * frames;
                for (int t = 0; t < frames; t++) sum += spectrograms[at + t];
            }
            double mu = sum / ((double) count * frames), sq = 0;
            for (int i = 0; i < count; i++) {
                int at = i * logMel.size() + b * frames;
                for (int t = 0; t < frames; t++) {
                    double d = spectrograms[at + t] - mu;
                    sq += d * d;
                }
            }
            double sd = Math.sqrt(sq / ((double) count * frames));
            mean[b] = (float) mu;
            std[b] = sd > 0 ? (float) sd : 1f; // a constant band stays put rather than dividing by zero
        }
        return new AudioFeatures(logMel, layout, mean, std);
    }

    /** The shape of one sample as the network takes it. */
    public int[] sampleShape() {
        return layout.sampleShape(logMel);
    }

    /** Standardises {@code count} spectrograms (mels × frames each) in place. */
    public void standardize(float[] spectrograms, int count) {
        int frames = logMel.frames();
        for (int i = 0; i < count; i++) {
            for (int b = 0; b < logMel.mels(); b++) {
                int at = i * logMel.size() + b * frames;
                for (int t = 0; t < frames; t++) spectrograms[at + t] = (spectrograms[at + t] - bandMeans[b]) / bandStds[b];
            }
        }
    }

    /**
     * The network input for standardised spectrograms: [count, 1, mels, frames] (a view of the
     * array) or [count, frames, mels] (transposed into a new array).
     */
    public Tensor toInput(float[] standardized, int count) {
        int mels = logMel.mels(), frames = logMel.frames();
        if (layout == Layout.IMAGE) return Tensor.wrap(standardized, count, 1, mels, frames);
        float[] seq = new float[count * mels * frames];
        for (int i = 0; i < count; i++) {
            int base = i * mels * frames;
            for (int b = 0; b < mels; b++) {
                for (int t = 0; t < frames; t++) seq[base + t * mels + b] = standardized[base + b * frames + t];
            }
        }
        return Tensor.wrap(seq, count, frames, mels);
    }

    /** The network input for raw recordings: each resampled to the settings' rate, featurised, standardised. */
    public Tensor inputs(List<Audio> recordings) {
        LogMel.Calculator calc = logMel.calculator();
        float[] spec = new float[recordings.size() * logMel.size()];
        for (int i = 0; i < recordings.size(); i++) {
            calc.compute(recordings.get(i).resampled(logMel.sampleRate()).samples(), spec, i * logMel.size());
        }
        standardize(spec, recordings.size());
        return toInput(spec, recordings.size());
    }

    /**
     * The features saved with a model, or null when it is not a speech model.
     *
     * @throws ModelFileException naming the file when they are there but damaged
     */
    public static AudioFeatures of(ModelFile.SavedModel saved, Path file) throws ModelFileException {
        return of(saved.metadata(), saved.architecture(), file);
    }

    /** As {@link #of(ModelFile.SavedModel, Path)}, from a model file's header alone (metadata and architecture). */
    public static AudioFeatures of(java.util.Map<String, String> metadata, org.backprop.io.ArchitectureSpec architecture,
            Path file) throws ModelFileException {
        String json = metadata.get(ModelFile.AUDIO_KEY);
        if (json == null) return null;
        AudioFeatures f;
        try {
            f = fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
        List<Integer> shape = architecture.inputShape();
        List<Integer> want = Arrays.stream(f.sampleShape()).boxed().toList();
        if (!shape.isEmpty() && !shape.equals(want)) {
            throw new ModelFileException(file, "the audio features give samples of shape " + want + " but the network takes " + shape);
        }
        return f;
    }

    // ---------------------------------------------------------------- JSON

    /** One JSON object with the settings, the layout and the statistics. */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("sample_rate", logMel.sampleRate());
        o.addProperty("window_samples", logMel.windowSamples());
        o.addProperty("frame_length", logMel.frameLength());
        o.addProperty("hop", logMel.hop());
        o.addProperty("frames", logMel.frames());
        o.addProperty("mels", logMel.mels());
        o.addProperty("min_hz", logMel.minHz());
        o.addProperty("max_hz", logMel.maxHz());
        o.addProperty("log_floor", logMel.logFloor());
        o.addProperty("layout", layout.name().toLowerCase(Locale.ROOT));
        o.add("band_means", array(bandMeans));
        o.add("band_stds", array(bandStds));
        return o.toString();
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray();
        for (float x : v) a.add(x);
        return a;
    }

    /**
     * Parses {@link #toJson()}'s form.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    public static AudioFeatures fromJson(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) throw new IllegalArgumentException("audio features: expected a JSON object");
            o = e.getAsJsonObject();
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("audio features")) throw iae;
            throw new IllegalArgumentException("audio features: not valid JSON (" + e.getMessage() + ")");
        }
        for (String k : o.keySet()) if (!FIELDS.contains(k)) throw new IllegalArgumentException("audio features: unknown field \"" + k + "\"");
        for (String k : FIELDS) if (!o.has(k)) throw new IllegalArgumentException("audio features: field \"" + k + "\" is missing");
        try {
            LogMel m = new LogMel(o.get("sample_rate").getAsInt(), o.get("window_samples").getAsInt(),
                    o.get("frame_length").getAsInt(), o.get("hop").getAsInt(), o.get("frames").getAsInt(),
                    o.get("mels").getAsInt(), o.get("min_hz").getAsDouble(), o.get("max_hz").getAsDouble(),
                    o.get("log_floor").getAsDouble());
            Layout layout = Layout.valueOf(o.get("layout").getAsString().toUpperCase(Locale.ROOT));
            return new AudioFeatures(m, layout, floats(o, "band_means"), floats(o, "band_stds"));
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException("audio features: a field has the wrong type (" + e.getMessage() + ")");
        }
    }

    private static float[] floats(JsonObject o, String key) {
        JsonArray a = o.get(key).getAsJsonArray();
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsFloat();
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioFeatures f && logMel.equals(f.logMel) && layout == f.layout
                && Arrays.equals(bandMeans, f.bandMeans) && Arrays.equals(bandStds, f.bandStds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(logMel, layout, Arrays.hashCode(bandMeans), Arrays.hashCode(bandStds));
    }

    @Override
    public String toString() {
        return "AudioFeatures" + toJson();
    }
}
