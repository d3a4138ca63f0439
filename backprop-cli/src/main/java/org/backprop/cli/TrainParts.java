package org.backprop.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.backprop.data.ClassLabels;
import org.backprop.data.Dataset;
import org.backprop.data.Splits;
import org.backprop.data.TableEncoder;
import org.backprop.data.TabularData;
import org.backprop.train.Task;

/**
 * train's data cut into its training and test parts, with what was fitted on the training part to
 * make them (a CSV table's encoder) and how to say it on the console ({@link #describe}).
 *
 * @param all        every sample, encoded (for names, sizes and the class count)
 * @param encoder    the CSV table's encoding fitted on the training rows, or {@code null} for a built-in dataset
 * @param labels     the class labels of a CSV classification, or {@code null}
 * @param table      the prepared CSV table, or {@code null}
 * @param stratified whether the test rows were drawn class by class
 * @param unknownInTest test cells whose category the training part never saw
 */
record TrainParts(Dataset train, Dataset test, Dataset all, TableEncoder encoder, ClassLabels labels, TabularData table,
                  boolean stratified, int unknownInTest) {

    /** A built-in dataset: stratified for classification; {@code test} given when the data has its own test set. */
    static TrainParts of(Dataset data, Dataset officialTest, Task task, double testFraction, long seed) {
        if (officialTest != null) return new TrainParts(data, officialTest, data, null, null, null, false, 0);
        boolean stratified = task == Task.CLASSIFICATION;
        Dataset.Split s = stratified ? data.stratifiedSplit(testFraction, seed) : data.split(testFraction, seed);
        return new TrainParts(s.train(), s.test(), data, null, null, null, stratified, 0);
    }

    /** A CSV table: stratified for classification, encoded with categories and fill values of the training rows. */
    static TrainParts of(TabularData table, double testFraction, long seed) {
        Splits.Rows rows = table.split(testFraction, seed);
        TabularData.Prepared p = table.prepare(rows);
        return new TrainParts(p.train(), p.test(), table.encodeAll(p.encoder()), p.encoder(), table.labels(), table,
                table.isClassification(), p.testEncoding().unknown());
    }

    /** Samples in both parts. */
    int size() {
        return train.size() + test.size();
    }

    /**
     * The lines after {@code Data:} for a CSV table: why this task (and how to override it), the
     * categorical columns, what happened to missing values.
     */
    List<String> describe(String taskOption, String missingOption) {
        List<String> lines = new ArrayList<>();
        if (table == null) return lines;
        boolean cls = table.isClassification();
        if (!table.task().reason().equals("as asked")) {
            boolean text = table.table().isText(table.table().columnIndex(table.target()));
            lines.add("Task: " + (cls ? "classification" : "regression") + ", since " + table.task().reason()
                    + (text ? " (text labels are always classes)"
                            : "; " + taskOption + " " + (cls ? "regression" : "classification") + " to override"));
        }
        List<String> cats = new ArrayList<>();
        for (var c : encoder.columns()) if (c.isCategorical()) cats.add(c.name() + " (" + c.categories().size() + " categories, one-hot)");
        if (!cats.isEmpty()) {
            lines.add("Text columns: " + String.join(", ", cats) + "; a category the training part lacks sets none of its "
                    + "inputs" + (unknownInTest > 0 ? " (" + unknownInTest + " such test cell" + (unknownInTest == 1 ? "" : "s") + ")" : ""));
        }
        int dropped = table.droppedRows(), filled = table.filledCells();
        String policy = table.policy().label();
        if (dropped > 0 || filled > 0) {
            List<String> parts = new ArrayList<>();
            if (dropped > 0) {
                parts.add(dropped + (table.policy().fills() ? " rows without a target value" : " rows with missing values")
                        + " dropped");
            }
            if (filled > 0) parts.add(filled + " missing cells filled with the training part's " + policy
                    + (table.categoricalColumns().isEmpty() ? "" : " (text columns: their most frequent category)"));
            lines.add("Missing values: " + String.join("; ", parts) + " (" + missingOption + " " + policy + ")");
        }
        return lines;
    }

    /** e.g. "classification into 3 classes (barbera, grignolino, nebbiolo)" or "regression of MEDV". */
    String target(Task task, int outputs) {
        if (task == Task.CLASSIFICATION) {
            String names = labels == null ? "" : " (" + preview(labels.names()) + ")";
            return "classification into " + outputs + " classes" + names;
        }
        return "regression of " + String.join(",", all.targetNames());
    }

    private static String preview(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names) : String.join(", ", names.subList(0, 7)) + ", … (" + names.size() + ")";
    }

    /** e.g. "(142 train, 36 test, stratified)". */
    String counts() {
        return String.format(Locale.ROOT, "(%d train, %d test%s)", train.size(), test.size(), stratified ? ", stratified" : "");
    }
}
