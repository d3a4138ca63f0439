package org.backprop.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Samples for supervised learning: features {@code [N, ...]} and targets, row {@code i} of one
 * belonging to row {@code i} of the other. Targets are {@code [N]} class indices stored as floats
 * (classification) or {@code [N, k]} values (regression).
 *
 * <p>Both tensors are kept dense (a non-dense input is copied), so that rows can be gathered with
 * {@link System#arraycopy}. Names are optional: empty lists, or one name per feature value
 * (per row of the flattened features) and one per target column.
 *
 * <p>Features may instead be kept as bytes ({@link BytePixels}, {@code features} then {@code null}):
 * batches and subsets are made from the bytes, and {@link #features()} widens all of them to a new
 * float tensor, so code that needs only the shape asks {@link #featureShape()}.
 */
public record Dataset(Tensor features, Tensor targets, List<String> featureNames, List<String> targetNames,
                      BytePixels pixels) {

    public Dataset {
        if ((features == null) == (pixels == null)) {
            throw new IllegalArgumentException("Dataset: give the features either as a tensor or as bytes");
        }
        int[] fs = features != null ? features.shape() : pixels.shape();
        if (fs.length < 1 || targets.dim() < 1) {
            throw new IllegalArgumentException("Dataset: features and targets need a first (sample) axis; got shapes "
                    + Shape.str(fs) + " and " + Shape.str(targets.shape()));
        }
        if (fs[0] != targets.size(0)) {
            throw new IllegalArgumentException("Dataset: " + fs[0] + " feature rows but " + targets.size(0)
                    + " target rows (shapes " + Shape.str(fs) + " and " + Shape.str(targets.shape()) + ")");
        }
        // copy() also cuts the tensors from any autograd graph they came from
        if (features != null) features = features.isDense() && !features.requiresGrad() ? features : features.copy();
        targets = targets.isDense() && !targets.requiresGrad() ? targets : targets.copy();
        featureNames = List.copyOf(featureNames);
        targetNames = List.copyOf(targetNames);
        int featureWidth = features != null ? rowWidth(features) : pixels.rowWidth();
        int targetWidth = rowWidth(targets);
        if (!featureNames.isEmpty() && featureNames.size() != featureWidth) {
            throw new IllegalArgumentException("Dataset: " + featureNames.size() + " feature names for " + featureWidth
                    + " feature values per sample");
        }
        if (!targetNames.isEmpty() && targetNames.size() != targetWidth) {
            throw new IllegalArgumentException("Dataset: " + targetNames.size() + " target names for " + targetWidth
                    + " target values per sample");
        }
    }

    /** A dataset with float features. */
    public Dataset(Tensor features, Tensor targets, List<String> featureNames, List<String> targetNames) {
        this(features, targets, featureNames, targetNames, null);
    }

    /** A dataset without names. */
    public Dataset(Tensor features, Tensor targets) {
        this(features, targets, List.of(), List.of());
    }

    /** A dataset without names whose features are kept as bytes. */
    public Dataset(BytePixels pixels, Tensor targets) {
        this(null, targets, List.of(), List.of(), pixels);
    }

    /** The features as floats: for byte features a new tensor of all of them (see {@link #featureShape()}). */
    @Override
    public Tensor features() {
        return features != null ? features : pixels.toTensor();
    }

    /** The shape of the features, {@code [N, ...]}, without widening byte features. */
    public int[] featureShape() {
        return features != null ? features.shape() : pixels.shape();
    }

    /** Rows {@code indices[from..to)} of the features as a new dense float tensor (a batch). */
    public Tensor gatherFeatures(int[] indices, int from, int to) {
        return features != null ? gatherRows(features, indices, from, to) : pixels.gatherRows(indices, from, to);
    }

    /** The two parts of a split. */
    public record Split(Dataset train, Dataset test) {}

    /** Number of samples N. */
    public int size() {
        return featureShape()[0];
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Feature values per sample (the product of every feature axis after the first). */
    public int featureWidth() {
        return features != null ? rowWidth(features) : pixels.rowWidth();
    }

    /** Target values per sample: 1 for {@code [N]} targets, k for {@code [N, k]}. */
    public int targetWidth() {
        return rowWidth(targets);
    }

    /**
     * Number of classes, read from class-index targets as the largest index plus one.
     *
     * @throws IllegalArgumentException when the targets are not {@code [N]} non-negative integers
     */
    public int classCount() {
        if (targets.dim() != 1) {
            throw new IllegalArgumentException("classCount: class targets must have shape [N], got "
                    + Shape.str(targets.shape()));
        }
        float[] y = targets.array();
        int max = -1;
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!(v >= 0) || v != Math.rint(v) || v > 1 << 24) {
                throw new IllegalArgumentException("classCount: target of sample " + i + " is " + v
                        + ", not a class index (a non-negative integer)");
            }
            max = Math.max(max, (int) v);
        }
        return max + 1;
    }

    /** The same targets and names with new features (for example standardised ones) of the same sample count. */
    public Dataset withFeatures(Tensor newFeatures) {
        boolean sameWidth = rowWidth(newFeatures) == featureWidth();
        return new Dataset(newFeatures, targets, sameWidth ? featureNames : List.of(), targetNames);
    }

    /** The same features and names with new targets of the same sample count. */
    public Dataset withTargets(Tensor newTargets) {
        boolean sameWidth = rowWidth(newTargets) == targetWidth();
        return new Dataset(features, newTargets, featureNames, sameWidth ? targetNames : List.of(), pixels);
    }

    /** A new dataset holding copies of the given rows, in the given order (repeats allowed). */
    public Dataset subset(int[] indices) {
        Tensor y = gatherRows(targets, indices, 0, indices.length);
        if (pixels != null) return new Dataset(null, y, featureNames, targetNames, pixels.subset(indices));
        return new Dataset(gatherRows(features, indices, 0, indices.length), y, featureNames, targetNames);
    }

    /**
     * Splits off a random {@code testFraction} of the samples. The same seed gives the same split;
     * each part keeps the samples in their original order. The test part has
     * {@code round(N · testFraction)} samples, and neither part may be empty.
     */
    public Split split(double testFraction, long seed) {
        return split(Splits.trainTest(null, size(), testFraction, seed));
    }

    /**
     * Like {@link #split}, but each class keeps its share in both parts ({@link Splits}); the
     * targets must be class indices {@code [N]}.
     */
    public Split stratifiedSplit(double testFraction, long seed) {
        return split(Splits.trainTest(classIndices(), size(), testFraction, seed));
    }

    /** The parts holding the given rows. */
    public Split split(Splits.Rows rows) {
        return new Split(subset(rows.train()), subset(rows.test()));
    }

    /** The class-index targets as ints (checked as {@link #classCount} checks them). */
    public int[] classIndices() {
        classCount();
        float[] y = targets.array();
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) out[i] = (int) y[i];
        return out;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Values per row of a dense tensor whose first axis is the sample axis. */
    static int rowWidth(Tensor t) {
        int[] s = t.shape();
        return Shape.numel(Arrays.copyOfRange(s, 1, s.length));
    }

    /** Copies rows {@code indices[from..to)} of a dense tensor into a new dense tensor. */
    static Tensor gatherRows(Tensor t, int[] indices, int from, int to) {
        int width = rowWidth(t);
        int n = t.size(0);
        float[] src = t.array();
        float[] dst = new float[(to - from) * width];
        for (int i = from; i < to; i++) {
            int r = indices[i];
            if (r < 0 || r >= n) {
                throw new IndexOutOfBoundsException("row index " + r + " is out of range for " + n + " samples");
            }
            System.arraycopy(src, r * width, dst, (i - from) * width, width);
        }
        int[] shape = t.shape();
        shape[0] = to - from;
        return Tensor.wrap(dst, shape);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add(size() + " samples");
        parts.add("features " + Shape.str(featureShape()) + (pixels != null ? " (bytes)" : ""));
        parts.add("targets " + Shape.str(targets.shape()));
        if (!targetNames.isEmpty()) parts.add("target " + String.join(",", targetNames));
        return "Dataset(" + String.join(", ", parts) + ")";
    }
}
