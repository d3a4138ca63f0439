package org.backprop.cli;

import java.util.ArrayList;
import java.util.List;
import org.backprop.autograd.GradMode;
import org.backprop.data.ClassLabels;
import org.backprop.data.CsvTable;
import org.backprop.data.Dataset;
import org.backprop.data.MissingPolicy;
import org.backprop.data.Standardizer;
import org.backprop.data.TableEncoder;
import org.backprop.io.ModelFile.SavedModel;
import org.backprop.io.Preprocessing;
import org.backprop.tensor.Tensor;
import org.backprop.train.Task;

/**
 * A saved model with its preprocessing applied: raw feature columns, matched by name, go in;
 * predictions in the target's own units (regression) or class logits (classification) come out.
 */
final class Predictor {
    private final SavedModel saved;
    private final Preprocessing pre;
    private final Standardizer features;
    private final Standardizer targets;
    private final Task task;

    Predictor(SavedModel saved) {
        this.saved = saved;
        this.pre = saved.preprocessing();
        this.features = pre.featureMeans() == null ? null : new Standardizer(pre.featureMeans(), pre.featureStds());
        this.targets = pre.targetMeans() == null ? null : new Standardizer(pre.targetMeans(), pre.targetStds());
        this.task = taskOf(saved);
    }

    /**
     * The saved task; for a file without one, regression when target statistics are stored, and
     * classification when the network gives more than one output without them.
     */
    static Task taskOf(SavedModel saved) {
        Preprocessing p = saved.preprocessing();
        if (p.task() != null) return p.task() == Preprocessing.Task.CLASSIFICATION ? Task.CLASSIFICATION : Task.REGRESSION;
        if (p.targetMeans() != null) return Task.REGRESSION;
        return saved.architecture().outputSize().orElse(1) > 1 ? Task.CLASSIFICATION : Task.REGRESSION;
    }

    Task task() {
        return task;
    }

    SavedModel saved() {
        return saved;
    }

    /** Number of network outputs (classes, or regression targets). */
    int outputs() {
        return saved.architecture().outputSize().orElseThrow();
    }

    /** The feature names the model was trained on, in its input order. */
    List<String> featureNames() {
        if (pre.featureNames() == null) {
            throw new IllegalArgumentException("the model file names no feature columns, so data cannot be matched to "
                    + "its inputs by name (save it with preprocessing, as 'backprop train --out' does)");
        }
        return pre.featureNames();
    }

    /** The target's name, or {@code fallback} when the file does not record it. */
    String targetName(String fallback) {
        return pre.targetName() == null ? fallback : pre.targetName();
    }

    /**
     * How the model encodes table columns (categories, fill values), or {@code null} for a file
     * whose features are numeric columns taken as they are.
     */
    TableEncoder encoder() {
        return pre.columns() == null ? null : new TableEncoder(pre.columns());
    }

    /** The missing-value policy training used (FAIL when the file does not say). */
    MissingPolicy missingPolicy() {
        return pre.missing() == null ? MissingPolicy.FAIL : pre.missing();
    }

    /** The class names, saved with the model or else the indices 0, 1, ... */
    List<String> classNames() {
        if (pre.classNames() != null) return pre.classNames();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < outputs(); c++) names.add(Integer.toString(c));
        return names;
    }

    /** The class labels for a classification model, {@code null} for regression. */
    ClassLabels labels() {
        return task == Task.CLASSIFICATION ? new ClassLabels(classNames()) : null;
    }

    /**
     * The model's inputs for every row of {@code table}: columns found by name, encoded as in
     * training: {@code [N, F]}. {@code unknownNote} receives a note on categories training never saw.
     */
    Tensor features(CsvTable table, java.util.function.Consumer<String> unknownNote) {
        TableEncoder encoder = encoder();
        if (encoder == null) return features(table);
        requireColumns(table.columns(), encoder.columnNames(), table.source());
        int[] rows = new int[table.rowCount()];
        for (int r = 0; r < rows.length; r++) rows[r] = r;
        TableEncoder.Encoded e = encoder.encode(table, rows);
        if (e.unknown() > 0) {
            unknownNote.accept(e.unknown() + " cell" + (e.unknown() == 1 ? " holds a category" : "s hold categories")
                    + " that training never saw (first: " + e.firstUnknown() + "); such a cell sets none of its "
                    + "column's one-hot inputs");
        }
        return e.features();
    }

    /** The model's feature columns of {@code table}, by name and in the model's order: {@code [N, F]}. */
    Tensor features(CsvTable table) {
        List<String> names = featureNames();
        requireColumns(table.columns(), names, table.source());
        int n = table.rowCount(), f = names.size();
        float[] x = new float[n * f];
        for (int j = 0; j < f; j++) {
            float[] column = table.column(names.get(j));
            for (int r = 0; r < n; r++) x[r * f + j] = column[r];
        }
        return Tensor.wrap(x, n, f);
    }

    /** The model's feature columns of a dataset with named features, in the model's order: {@code [N, F]}. */
    Tensor features(Dataset data, String source) {
        if (pre.featureNames() == null && data.featureNames().isEmpty()) { // unnamed columns, e.g. image pixels
            int width = data.featureWidth();
            int inputs = saved.architecture().inputSize().orElse(width);
            if (width != inputs) {
                throw new IllegalArgumentException(source + " has " + width + " features per sample but the model takes "
                        + inputs);
            }
            return data.features().reshape(data.size(), width);
        }
        List<String> names = featureNames();
        requireColumns(data.featureNames(), names, source);
        int n = data.size(), w = data.featureWidth(), f = names.size();
        float[] all = data.features().toFloatArray();
        int[] index = names.stream().mapToInt(data.featureNames()::indexOf).toArray();
        float[] x = new float[n * f];
        for (int r = 0; r < n; r++) for (int j = 0; j < f; j++) x[r * f + j] = all[r * w + index[j]];
        return Tensor.wrap(x, n, f);
    }

    private static void requireColumns(List<String> available, List<String> needed, String source) {
        List<String> missing = new ArrayList<>();
        for (String name : needed) if (!available.contains(name)) missing.add("'" + name + "'");
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(source + ": missing feature column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " that the model needs (it takes " + String.join(", ", needed) + ")");
        }
    }

    /**
     * Raw features in, standardised as in training; the network's inputs. Flat rows [N, F] are
     * reshaped to the recorded sample shape, e.g. [N, 1, 28, 28] for an image network.
     */
    Tensor prepare(Tensor rawFeatures) {
        Tensor x = features == null ? rawFeatures : features.transform(rawFeatures);
        List<Integer> sample = saved.architecture().inputShape();
        if (sample.size() > 1 && x.dim() == 2) {
            int[] shape = new int[sample.size() + 1];
            shape[0] = x.size(0);
            for (int i = 0; i < sample.size(); i++) shape[i + 1] = sample.get(i);
            x = x.reshape(shape);
        }
        return x;
    }

    /**
     * Predictions for raw features {@code [N, F]}: class logits {@code [N, C]}, or regression
     * values {@code [N, k]} mapped back to the target's units.
     */
    Tensor predict(Tensor rawFeatures) {
        int n = rawFeatures.size(0);
        if (n > CHUNK) { // a CNN's activations for 10,000 images at once would take gigabytes
            float[] all = null;
            int k = 0;
            for (int from = 0; from < n; from += CHUNK) {
                float[] part = predict(rawFeatures.slice(0, from, Math.min(n, from + CHUNK)).contiguous()).toFloatArray();
                if (all == null) {
                    k = part.length / Math.min(n, CHUNK);
                    all = new float[n * k];
                }
                System.arraycopy(part, 0, all, from * k, part.length);
            }
            return Tensor.wrap(all, n, k);
        }
        Tensor out;
        try (var _ = GradMode.noGrad()) {
            saved.model().eval();
            out = saved.model().forward(prepare(rawFeatures));
        }
        return task == Task.REGRESSION && targets != null ? targets.inverseTransform(out) : out;
    }

    /** Samples per forward pass in {@link #predict}. */
    private static final int CHUNK = 1024;

    /** Regression targets in the model's standardised units (what its loss saw in training). */
    Tensor scaleTargets(Tensor rawTargets) {
        return task == Task.REGRESSION && targets != null ? targets.transform(rawTargets) : rawTargets;
    }

    /** e.g. "regression of MEDV" or "classification into 10 classes". */
    String describeTask() {
        if (task == Task.CLASSIFICATION) return "classification into " + outputs() + " classes";
        return pre.targetName() == null ? "regression" : "regression of " + pre.targetName();
    }
}
