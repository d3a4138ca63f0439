package org.backprop.data;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Per-column standardisation, z = (x − mean) / std, with statistics fitted on one dataset
 * (the training part: fitting on data that includes the test part leaks it into training).
 *
 * <p>A column is what follows the sample axis, flattened: {@code [N, F]} has F columns, {@code [N]}
 * one. The standard deviation is the population one (divide by N), as in scikit-learn's
 * {@code StandardScaler}. A constant column (std 0) is only centred — its scale is taken as 1 —
 * so it becomes 0 instead of NaN, and the inverse gives the constant back.
 *
 * <p>{@link #means()} and {@link #stds()} are the whole state: a standardiser saved as those two
 * arrays is restored with {@link #Standardizer(float[], float[])}.
 */
public final class Standardizer {
    private final float[] means;
    private final float[] stds;
    private final float[] scales; // std, or 1 for a constant column

    /** A standardiser with known statistics (for example loaded from a saved model). */
    public Standardizer(float[] means, float[] stds) {
        if (means.length != stds.length) {
            throw new IllegalArgumentException("Standardizer: " + means.length + " means but " + stds.length + " stds");
        }
        this.means = means.clone();
        this.stds = stds.clone();
        this.scales = new float[stds.length];
        for (int j = 0; j < stds.length; j++) {
            if (!Float.isFinite(means[j]) || !(stds[j] >= 0) || Float.isInfinite(stds[j])) {
                throw new IllegalArgumentException("Standardizer: column " + j + " has mean " + means[j] + " and std "
                        + stds[j] + "; both must be finite and the std non-negative");
            }
            scales[j] = stds[j] == 0 ? 1f : stds[j];
        }
    }

    /** Fits the per-column mean and standard deviation of {@code x} ({@code [N, ...]}, N ≥ 1). */
    public static Standardizer fit(Tensor x) {
        if (x.dim() < 1 || x.size(0) == 0) {
            throw new IllegalArgumentException("Standardizer.fit: needs at least one sample, got shape " + Shape.str(x.shape()));
        }
        int n = x.size(0), w = x.numel() / n;
        float[] v = x.toFloatArray();
        double[] sum = new double[w];
        for (int r = 0; r < n; r++) for (int j = 0; j < w; j++) sum[j] += v[r * w + j];
        float[] means = new float[w];
        double[] mean = new double[w];
        for (int j = 0; j < w; j++) {
            mean[j] = sum[j] / n;
            means[j] = (float) mean[j];
        }
        // two passes (deviations from the mean), which stay exact for constant columns
        double[] ss = new double[w];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) {
                double d = v[r * w + j] - mean[j];
                ss[j] += d * d;
            }
        }
        float[] stds = new float[w];
        for (int j = 0; j < w; j++) {
            if (!Double.isFinite(ss[j])) {
                throw new IllegalArgumentException("Standardizer.fit: column " + j + " holds non-finite values");
            }
            stds[j] = (float) Math.sqrt(ss[j] / n);
        }
        return new Standardizer(means, stds);
    }

    /** Fits on a dataset's features. */
    public static Standardizer fitFeatures(Dataset train) {
        return fit(train.features());
    }

    /** Fits on a dataset's targets (regression targets, to be predicted in standard units). */
    public static Standardizer fitTargets(Dataset train) {
        return fit(train.targets());
    }

    /** Number of columns. */
    public int columns() {
        return means.length;
    }

    /** A copy of the column means. */
    public float[] means() {
        return means.clone();
    }

    /** A copy of the column standard deviations (0 for a constant column). */
    public float[] stds() {
        return stds.clone();
    }

    /** (x − mean) / std per column, as a new tensor of the same shape. */
    public Tensor transform(Tensor x) {
        float[] v = values(x, "transform");
        int w = means.length;
        for (int i = 0; i < v.length; i++) v[i] = (v[i] - means[i % w]) / scales[i % w];
        return Tensor.wrap(v, x.shape());
    }

    /** z · std + mean per column: back to the original units. */
    public Tensor inverseTransform(Tensor z) {
        float[] v = values(z, "inverseTransform");
        int w = means.length;
        for (int i = 0; i < v.length; i++) v[i] = v[i] * scales[i % w] + means[i % w];
        return Tensor.wrap(v, z.shape());
    }

    /** The dataset with standardised features. */
    public Dataset transformFeatures(Dataset data) {
        return data.withFeatures(transform(data.features()));
    }

    /** The dataset with standardised targets. */
    public Dataset transformTargets(Dataset data) {
        return data.withTargets(transform(data.targets()));
    }

    private float[] values(Tensor x, String op) {
        if (x.dim() == 0 || Dataset.rowWidth(x) != means.length) {
            throw new IllegalArgumentException("Standardizer." + op + ": fitted on " + means.length
                    + " columns, got a tensor of shape " + Shape.str(x.shape()));
        }
        return x.toFloatArray();
    }
}
