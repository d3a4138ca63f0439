package org.backprop.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The class labels of a target column and their indices: label {@code names().get(i)} is class
 * {@code i}. Numbers are ordered by value (so a column of 0..K-1 keeps its indices, and 1, 2, 3
 * become 0, 1, 2 named "1", "2", "3"), text alphabetically. Saved with the model, so predictions
 * can print the names.
 */
public record ClassLabels(List<String> names) {

    public ClassLabels {
        names = List.copyOf(names);
        if (names.isEmpty()) throw new IllegalArgumentException("class labels: none");
        if (new LinkedHashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("class labels: a name appears twice in " + names);
        }
    }

    /** The distinct labels of a column over the given rows (missing cells skipped). */
    public static ClassLabels fit(CsvTable table, int column, int[] rows) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int r : rows) {
            String t = table.text(r, column);
            if (t != null) seen.add(t);
        }
        if (seen.isEmpty()) throw new IllegalArgumentException(table.source() + ": the target column '"
                + table.columns().get(column) + "' has no values");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(table.isText(column) ? Comparator.naturalOrder() : Comparator.comparingDouble(Float::parseFloat));
        return new ClassLabels(sorted);
    }

    public int count() {
        return names.size();
    }

    /**
     * Each row's class index.
     *
     * @throws CsvException naming the line of a label that is not one of {@link #names()}, or of a missing cell
     */
    public int[] encode(CsvTable table, int column, int[] rows) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) index.put(names.get(i), i);
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            String t = table.text(rows[i], column);
            Integer k = t == null ? null : index.get(t);
            if (k == null) {
                throw new CsvException(table.source(), table.lineOf(rows[i]), "column " + (column + 1) + " ('"
                        + table.columns().get(column) + "'): " + (t == null ? "missing class label" : "class label '" + t
                        + "' is not one of the model's classes (" + String.join(", ", names) + ")"));
            }
            out[i] = k;
        }
        return out;
    }
}
