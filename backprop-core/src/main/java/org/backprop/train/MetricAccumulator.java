package org.backprop.train;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Adds up loss and metrics batch by batch, giving the same values as one pass over all samples.
 *
 * <ul>
 *   <li>Classification: predictions are logits or scores {@code [B, C]}; targets are class indices
 *       {@code [B]} (or {@code [B, 1]}), or one-hot / probability rows {@code [B, C]} whose argmax
 *       is the class. Accuracy is the fraction of samples whose largest score is at the target.</li>
 *   <li>Regression: predictions and targets hold the same number of values per sample, k.
 *       MSE and MAE average over every value; RMSE is √MSE. R² = 1 − SSE/SST per target column,
 *       averaged over the columns; a constant column (SST = 0) scores 1 if predicted exactly, else 0,
 *       as scikit-learn does.</li>
 * </ul>
 */
public final class MetricAccumulator {
    private final Task task;
    private int samples;
    private double lossSum;
    private long correct;
    // regression: per element sums, and per column the running target mean, M2 (Σ(y−ȳ)²) and SSE
    private long values;
    private double squaredErrorSum;
    private double absoluteErrorSum;
    private double[] colMean;
    private double[] colM2;
    private double[] colSse;

    public MetricAccumulator(Task task) {
        this.task = task;
    }

    /** Number of samples added so far. */
    public int samples() {
        return samples;
    }

    /**
     * Adds one batch.
     *
     * @param batchLoss the batch's mean loss per sample, or NaN when there is none
     */
    public void add(Tensor prediction, Tensor target, double batchLoss) {
        if (prediction.dim() < 1 || target.dim() < 1 || prediction.size(0) != target.size(0)) {
            throw new IllegalArgumentException("metrics: prediction " + Shape.str(prediction.shape()) + " and target "
                    + Shape.str(target.shape()) + " do not have the same number of samples");
        }
        int b = prediction.size(0);
        if (task == Task.CLASSIFICATION) addClassification(prediction, target);
        else addRegression(prediction, target);
        samples += b;
        lossSum += batchLoss * b;
    }

    private void addClassification(Tensor logits, Tensor target) {
        int b = logits.size(0);
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("accuracy: expects logits [N, C], got " + Shape.str(logits.shape()));
        }
        int c = logits.size(1);
        float[] p = logits.toFloatArray();
        float[] t = target.toFloatArray();
        boolean scores = target.dim() == 2 && target.size(1) == c && c > 1;
        if (!scores && t.length != b) {
            throw new IllegalArgumentException("accuracy: targets must be class indices [N] or rows [N, " + c
                    + "], got " + Shape.str(target.shape()) + " for logits " + Shape.str(logits.shape()));
        }
        for (int i = 0; i < b; i++) {
            int predicted = argmax(p, i * c, c);
            int actual = scores ? argmax(t, i * c, c) : (int) t[i];
            if (!scores && (t[i] != actual || actual < 0 || actual >= c)) {
                throw new IllegalArgumentException("accuracy: target " + t[i] + " of sample " + i
                        + " is not a class index in 0.." + (c - 1));
            }
            if (predicted == actual) correct++;
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (v[from + j] > v[from + best]) best = j;
        return best;
    }

    private void addRegression(Tensor prediction, Tensor target) {
        int b = prediction.size(0);
        if (prediction.numel() != target.numel()) {
            throw new IllegalArgumentException("regression metrics: prediction " + Shape.str(prediction.shape())
                    + " and target " + Shape.str(target.shape()) + " hold different numbers of values");
        }
        if (b == 0) return;
        int k = target.numel() / b;
        if (colMean == null) {
            colMean = new double[k];
            colM2 = new double[k];
            colSse = new double[k];
        } else if (colMean.length != k) {
            throw new IllegalArgumentException("regression metrics: " + k + " target values per sample, earlier batches had "
                    + colMean.length);
        }
        float[] p = prediction.toFloatArray();
        float[] y = target.toFloatArray();
        double[] bMean = new double[k];
        for (int i = 0; i < y.length; i++) {
            double e = (double) p[i] - y[i];
            squaredErrorSum += e * e;
            absoluteErrorSum += Math.abs(e);
            colSse[i % k] += e * e;
            bMean[i % k] += y[i];
        }
        for (int j = 0; j < k; j++) bMean[j] /= b;
        double[] bM2 = new double[k];
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - bMean[i % k];
            bM2[i % k] += d * d;
        }
        // merge the batch's (count, mean, M2) into the running ones (Chan et al.'s pairwise update)
        long n = samples, total = n + b;
        for (int j = 0; j < k; j++) {
            double delta = bMean[j] - colMean[j];
            colMean[j] += delta * b / total;
            colM2[j] += bM2[j] + delta * delta * n * b / total;
        }
        values += y.length;
    }

    /** Loss and metrics over every sample added. */
    public Evaluation result() {
        if (samples == 0) throw new IllegalStateException("metrics: no samples were added");
        double loss = lossSum / samples;
        if (task == Task.CLASSIFICATION) {
            return new Evaluation(task, samples, loss, (double) correct / samples, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN);
        }
        double mse = squaredErrorSum / values;
        double r2 = 0;
        for (int j = 0; j < colMean.length; j++) {
            r2 += colM2[j] > 0 ? 1 - colSse[j] / colM2[j] : (colSse[j] == 0 ? 1 : 0);
        }
        r2 /= colMean.length;
        return new Evaluation(task, samples, loss, Double.NaN, mse, Math.sqrt(mse), absoluteErrorSum / values, r2);
    }
}
