package org.backprop.data;

import java.util.List;
import java.util.stream.IntStream;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.tensor.Tensor;

/**
 * Turns a split of the {@link Fsdd} recordings into training and test {@link Dataset}s of
 * standardised log-mel spectrograms, with the band statistics fitted on the training part only.
 */
public final class SpokenDigits {
    private SpokenDigits() {}

    /**
     * The prepared data.
     *
     * @param train    training spectrograms and digits
     * @param test     test spectrograms and digits, in the order of {@code split.test()}
     * @param features the settings and statistics to save with the model
     */
    public record Prepared(Dataset train, Dataset test, AudioFeatures features) {}

    /** Featurises both parts of {@code split} for a network reading {@code layout}. */
    public static Prepared prepare(Fsdd.Split split, LogMel settings, AudioFeatures.Layout layout) {
        float[] train = spectrograms(split.train(), settings);
        float[] test = spectrograms(split.test(), settings);
        AudioFeatures features = AudioFeatures.fit(settings, layout, train, split.train().size());
        features.standardize(train, split.train().size());
        features.standardize(test, split.test().size());
        return new Prepared(dataset(features, train, split.train()), dataset(features, test, split.test()), features);
    }

    /** A dataset of recordings for a model whose features are already fitted (evaluation). */
    public static Dataset dataset(AudioFeatures features, List<Fsdd.Recording> recordings) {
        float[] spec = spectrograms(recordings, features.logMel());
        features.standardize(spec, recordings.size());
        return dataset(features, spec, recordings);
    }

    private static Dataset dataset(AudioFeatures features, float[] standardized, List<Fsdd.Recording> recordings) {
        float[] digits = new float[recordings.size()];
        for (int i = 0; i < digits.length; i++) digits[i] = recordings.get(i).digit();
        return new Dataset(features.toInput(standardized, recordings.size()), Tensor.wrap(digits, digits.length));
    }

    /**
     * The raw (unstandardised) spectrograms of the recordings, mels × frames each, back to back;
     * computed on the common fork-join pool, one calculator a chunk (each value depends only on
     * its recording, so the result does not depend on the threads).
     */
    public static float[] spectrograms(List<Fsdd.Recording> recordings, LogMel settings) {
        int n = recordings.size(), size = settings.size(), chunk = 64;
        float[] out = new float[n * size];
        IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(c -> {
            LogMel.Calculator calc = settings.calculator();
            for (int i = c * chunk; i < Math.min(n, (c + 1) * chunk); i++) {
                calc.compute(recordings.get(i).audio().resampled(settings.sampleRate()).samples(), out, i * size);
            }
        });
        return out;
    }
}
