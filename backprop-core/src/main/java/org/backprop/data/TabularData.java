package org.backprop.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.backprop.tensor.Tensor;

/**
 * A CSV table prepared for learning one target column: the task (inferred unless given, with the
 * reason), the class labels, the rows kept under the missing-value policy, splits (stratified for
 * classification) and K folds, and datasets whose encoding ({@link TableEncoder}: categories,
 * fill values) is fitted on the training rows only.
 *
 * <p>Task inference: a target with text labels, or with whole numbers of at most
 * {@value #MAX_INFERRED_CLASSES} distinct values and on average at least two rows per value, is a
 * classification; any other numeric target a regression.
 */
public final class TabularData {
    /** The most distinct whole numbers a target may have to be taken as class labels. */
    public static final int MAX_INFERRED_CLASSES = 20;

    /** The task of a target column and why it was chosen. */
    public record TaskChoice(boolean classification, String reason) {}

    private final CsvTable table;
    private final String target;
    private final List<String> features;
    private final TaskChoice task;
    private final ClassLabels labels; // null for regression
    private final MissingPolicy policy;
    private final int[] rows;         // table rows kept
    private final int[] classes;      // class index of each kept row, null for regression

    private TabularData(CsvTable table, String target, List<String> features, TaskChoice task, ClassLabels labels,
                        MissingPolicy policy, int[] rows) {
        this.table = table;
        this.target = target;
        this.features = List.copyOf(features);
        this.task = task;
        this.policy = policy;
        this.rows = rows;
        int t = table.columnIndex(target);
        this.labels = task.classification() ? (labels != null ? labels : ClassLabels.fit(table, t, rows)) : null;
        if (!task.classification()) table.requireNumbers(t, rows);
        this.classes = this.labels == null ? null : this.labels.encode(table, t, rows);
    }

    /**
     * Prepares {@code table} for training on {@code target} with every other column but
     * {@code drop} as a feature.
     *
     * @param classification the task, or {@code null} to infer it from the target's values
     * @throws MissingValuesException under {@link MissingPolicy#FAIL} when a used cell is missing
     */
    public static TabularData of(CsvTable table, String target, Collection<String> drop, Boolean classification,
                                 MissingPolicy policy) {
        int t = table.columnIndex(target);
        Set<String> excluded = new HashSet<>();
        for (String d : drop) {
            table.columnIndex(d);
            if (d.equals(target)) {
                throw new IllegalArgumentException(table.source() + ": column '" + d + "' is both the target and a column to drop");
            }
            excluded.add(d);
        }
        List<String> features = new ArrayList<>();
        for (String c : table.columns()) if (!c.equals(target) && !excluded.contains(c)) features.add(c);
        if (features.isEmpty()) {
            throw new IllegalArgumentException(table.source() + ": no feature columns left after taking the target '"
                    + target + "' and dropping " + drop);
        }
        int[] rows = keptRows(table, target, features, policy);
        TaskChoice task = classification != null
                ? new TaskChoice(classification, "as asked")
                : infer(table, t, rows);
        if (!task.classification() && table.isText(t)) {
            throw new IllegalArgumentException(table.source() + ": the target '" + target + "' holds text labels, so it "
                    + "can only be a classification");
        }
        return new TabularData(table, target, features, task, null, policy, rows);
    }

    /**
     * The same preparation for a saved model: its encoder's columns as features, its labels (or
     * regression when {@code labels} is null), its missing-value policy, so that the kept rows and
     * class indices are those training had.
     */
    public static TabularData forModel(CsvTable table, String target, TableEncoder encoder, ClassLabels labels,
                                       MissingPolicy policy) {
        table.columnIndex(target);
        int[] rows = keptRows(table, target, encoder.columnNames(), policy);
        return new TabularData(table, target, encoder.columnNames(), new TaskChoice(labels != null, "the model's task"),
                labels, policy, rows);
    }

    /** Rows kept under the policy: all (FAIL, after checking there is no gap), or those without a gap in the used columns. */
    private static int[] keptRows(CsvTable table, String target, List<String> features, MissingPolicy policy) {
        int t = table.columnIndex(target);
        int[] cols = features.stream().mapToInt(table::columnIndex).toArray();
        List<Integer> kept = new ArrayList<>();
        int missing = 0, firstLine = 0;
        String firstColumn = null;
        for (int r = 0; r < table.rowCount(); r++) {
            boolean gap = table.isMissing(r, t);
            if (gap && firstColumn == null) {
                firstLine = table.lineOf(r);
                firstColumn = target;
            }
            missing += gap ? 1 : 0;
            boolean featureGap = false;
            for (int c : cols) {
                if (!table.isMissing(r, c)) continue;
                featureGap = true;
                missing++;
                if (firstColumn == null) {
                    firstLine = table.lineOf(r);
                    firstColumn = table.columns().get(c);
                }
            }
            if (!gap && !(featureGap && policy == MissingPolicy.DROP)) kept.add(r);
        }
        if (missing > 0 && policy == MissingPolicy.FAIL) {
            throw new MissingValuesException(table.source(), missing, firstLine, firstColumn);
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(table.source() + ": no rows left after dropping those with missing values");
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Infers the task from the target's values (see the class comment) and says why. */
    static TaskChoice infer(CsvTable table, int t, int[] rows) {
        String name = "'" + table.columns().get(t) + "'";
        if (table.isText(t)) {
            TreeSet<String> distinct = new TreeSet<>();
            for (int r : rows) if (table.text(r, t) != null) distinct.add(table.text(r, t));
            return new TaskChoice(true, name + " holds text labels (" + preview(distinct) + ")");
        }
        TreeSet<Float> distinct = new TreeSet<>();
        for (int r : rows) {
            float v = table.get(r, t);
            if (v != Math.rint(v)) {
                return new TaskChoice(false, name + " holds numbers with fractions (" + Cells.canonical(v) + " on line "
                        + table.lineOf(r) + ")");
            }
            distinct.add(v);
        }
        int k = distinct.size();
        List<String> shown = distinct.stream().map(Cells::canonical).toList();
        if (k <= MAX_INFERRED_CLASSES && 2 * k <= rows.length && k >= 2) {
            return new TaskChoice(true, name + " holds whole numbers with " + k + " distinct values (" + preview(shown) + ")");
        }
        return new TaskChoice(false, name + " holds " + k + " distinct whole number" + (k == 1 ? "" : "s")
                + (k < 2 ? "" : k > MAX_INFERRED_CLASSES ? " (more than " + MAX_INFERRED_CLASSES + ")"
                        : " (too many for " + rows.length + " rows)"));
    }

    private static String preview(Collection<String> values) {
        List<String> v = List.copyOf(values);
        return v.size() <= 6 ? String.join(", ", v) : String.join(", ", v.subList(0, 5)) + ", … " + v.size() + " in all";
    }

    // ---------------------------------------------------------------- access

    public CsvTable table() {
        return table;
    }

    public String target() {
        return target;
    }

    /** The table columns used as features, in table order. */
    public List<String> featureColumns() {
        return features;
    }

    /** The text feature columns, which are one-hot encoded. */
    public List<String> categoricalColumns() {
        return features.stream().filter(c -> table.isText(table.columnIndex(c))).toList();
    }

    public TaskChoice task() {
        return task;
    }

    public boolean isClassification() {
        return task.classification();
    }

    /** The class labels, or {@code null} for regression. */
    public ClassLabels labels() {
        return labels;
    }

    public MissingPolicy policy() {
        return policy;
    }

    /** Rows kept (the samples). */
    public int size() {
        return rows.length;
    }

    /** Rows of the table left out for missing values. */
    public int droppedRows() {
        return table.rowCount() - rows.length;
    }

    /** Missing cells in the feature columns of the kept rows (those the encoder fills). */
    public int filledCells() {
        int n = 0;
        for (String f : features) {
            int c = table.columnIndex(f);
            for (int r : rows) if (table.isMissing(r, c)) n++;
        }
        return n;
    }

    // ---------------------------------------------------------------- splits and datasets

    /** A train/test split of the samples ({@link Splits#trainTest}), stratified for classification. */
    public Splits.Rows split(double testFraction, long seed) {
        return Splits.trainTest(classes, rows.length, testFraction, seed);
    }

    /** K folds of the samples, stratified for classification. */
    public List<Splits.Rows> folds(int k, long seed) {
        return Splits.kFold(classes, rows.length, k, seed);
    }

    /** The datasets of a split, with the encoding fitted on its training part. */
    public record Prepared(Dataset train, Dataset test, TableEncoder encoder, TableEncoder.Encoded testEncoding) {}

    /** Fits the encoder on {@code parts.train()} (sample positions) and encodes both parts. */
    public Prepared prepare(Splits.Rows parts) {
        TableEncoder encoder = TableEncoder.fit(table, features, tableRows(parts.train()), policy);
        TableEncoder.Encoded test = encoder.encode(table, tableRows(parts.test()));
        return new Prepared(dataset(encoder, parts.train(), encoder.encode(table, tableRows(parts.train()))),
                dataset(encoder, parts.test(), test), encoder, test);
    }

    /** Every sample encoded with a given (saved) encoder. */
    public Dataset encodeAll(TableEncoder encoder) {
        int[] all = new int[rows.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return dataset(encoder, all, encoder.encode(table, rows));
    }

    private int[] tableRows(int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < out.length; i++) out[i] = rows[positions[i]];
        return out;
    }

    private Dataset dataset(TableEncoder encoder, int[] positions, TableEncoder.Encoded encoded) {
        int n = positions.length;
        float[] y = new float[n];
        int t = table.columnIndex(target);
        for (int i = 0; i < n; i++) y[i] = classes != null ? classes[positions[i]] : table.get(rows[positions[i]], t);
        Tensor targets = classes != null ? Tensor.wrap(y, n) : Tensor.wrap(y, n, 1);
        return new Dataset(encoded.features(), targets, encoder.inputNames(), List.of(target));
    }
}
