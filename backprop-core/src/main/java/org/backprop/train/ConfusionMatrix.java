package org.backprop.train;

import java.util.Arrays;
import org.backprop.tensor.Tensor;

/**
 * Counts of (true class, predicted class) pairs of a classifier: row {@code t}, column {@code p}
 * holds how many samples of class {@code t} were predicted as {@code p}. The diagonal holds the
 * correct predictions.
 */
public final class ConfusionMatrix {
    private final int[][] counts;

    private ConfusionMatrix(int[][] counts) {
        this.counts = counts;
    }

    /**
     * Tallies the predictions {@code logits} [N, C] (the class is the largest logit) against the
     * class indices {@code targets} [N].
     */
    public static ConfusionMatrix of(Tensor logits, Tensor targets) {
        if (logits.dim() != 2 || targets.numel() != logits.size(0)) {
            throw new IllegalArgumentException("ConfusionMatrix: expected logits [N, C] and N targets, got "
                    + Arrays.toString(logits.shape()) + " and " + Arrays.toString(targets.shape()));
        }
        int classes = logits.size(1);
        int[][] counts = new int[classes][classes];
        float[] predicted = logits.argmax(1, false).toFloatArray(), truth = targets.toFloatArray();
        for (int i = 0; i < truth.length; i++) {
            int t = (int) truth[i];
            if (t < 0 || t >= classes || t != truth[i]) {
                throw new IllegalArgumentException("ConfusionMatrix: target " + truth[i] + " of sample " + i
                        + " is not a class index in [0, " + classes + ")");
            }
            counts[t][(int) predicted[i]]++;
        }
        return new ConfusionMatrix(counts);
    }

    public int classes() {
        return counts.length;
    }

    /** Samples of class {@code truth} predicted as {@code predicted}. */
    public int count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** Samples of class {@code truth}. */
    public int rowTotal(int truth) {
        return Arrays.stream(counts[truth]).sum();
    }

    public int total() {
        int n = 0;
        for (int t = 0; t < counts.length; t++) n += rowTotal(t);
        return n;
    }

    /** Fraction on the diagonal; NaN for no samples. */
    public double accuracy() {
        int correct = 0;
        for (int t = 0; t < counts.length; t++) correct += counts[t][t];
        int n = total();
        return n == 0 ? Double.NaN : (double) correct / n;
    }
}
