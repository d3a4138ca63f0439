package org.backprop.data;

import org.backprop.guard.Untrusted;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.backprop.tensor.Tensor;

/**
 * Turns a table's feature columns into network inputs: numbers as they are, text columns one-hot
 * encoded, missing cells filled. Everything it learns (categories, fill values) is fitted on the
 * training rows only and is saved with the model ({@link #columns()}), so that evaluation and
 * prediction encode new rows exactly as training did.
 *
 * <p><b>A category not seen in training</b> becomes an all-zero block (none of the column's
 * inputs is on), the row is still predicted, and {@link Encoded#unknown()} counts such cells so
 * the caller can say so. An error would make a small table's test split fail whenever a rare
 * category fell only into it, and an all-zero block is what "none of the known categories" means.
 */
public final class TableEncoder {
    private final List<ColumnEncoding> columns;

    public TableEncoder(List<ColumnEncoding> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("TableEncoder: no columns");
        this.columns = List.copyOf(columns);
    }

    /**
     * Fits the encoding of {@code featureColumns} on the table's {@code trainRows}.
     *
     * @param policy fills gaps (mean or median of the training cells; for text, the most frequent
     *               category) when {@link MissingPolicy#fills()}; otherwise no fill values are kept
     */
    public static TableEncoder fit(CsvTable table, List<String> featureColumns, int[] trainRows, MissingPolicy policy) {
        List<ColumnEncoding> out = new ArrayList<>();
        for (String name : featureColumns) {
            int c = table.columnIndex(name);
            if (table.isText(c)) {
                TreeMap<String, Integer> counts = new TreeMap<>();
                for (int r : trainRows) {
                    String t = table.text(r, c);
                    if (t != null) counts.merge(t, 1, Integer::sum);
                }
                if (counts.isEmpty()) throw noValues(table, name);
                String mode = null;
                for (var e : counts.entrySet()) if (mode == null || e.getValue() > counts.get(mode)) mode = e.getKey();
                out.add(ColumnEncoding.categorical(name, List.copyOf(counts.keySet()), policy.fills() ? mode : null));
            } else {
                float[] present = new float[trainRows.length];
                int n = 0;
                for (int r : trainRows) {
                    float v = table.get(r, c);
                    if (!Float.isNaN(v)) present[n++] = v;
                }
                if (n == 0) throw noValues(table, name);
                float fill = switch (policy) {
                    case MEAN -> mean(present, n);
                    case MEDIAN -> median(present, n);
                    default -> Float.NaN;
                };
                out.add(ColumnEncoding.numeric(name, fill));
            }
        }
        return new TableEncoder(out);
    }

    private static IllegalArgumentException noValues(CsvTable table, String name) {
        return new IllegalArgumentException(table.source() + ": column '" + name + "' has no values in the training part");
    }

    static float mean(float[] v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += v[i];
        return (float) (s / n);
    }

    static float median(float[] v, int n) {
        float[] s = Arrays.copyOf(v, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (float) ((s[n / 2 - 1] + (double) s[n / 2]) / 2);
    }

    /** The fitted columns, in input order. */
    public List<ColumnEncoding> columns() {
        return columns;
    }

    /** The table columns this encoder reads. */
    public List<String> columnNames() {
        return columns.stream().map(ColumnEncoding::name).toList();
    }

    /** One name per network input: numeric columns by name, categories as {@code column=category}. */
    public List<String> inputNames() {
        List<String> out = new ArrayList<>();
        for (ColumnEncoding c : columns) out.addAll(c.inputNames());
        return out;
    }

    /** Network inputs per row. */
    public int width() {
        return columns.stream().mapToInt(ColumnEncoding::width).sum();
    }

    /**
     * Encoded rows and the count of text cells whose category training never saw.
     *
     * @param features {@code [rows, width()]}
     */
    public record Encoded(Tensor features, int unknown, String firstUnknown) {}

    /**
     * Encodes the given rows of {@code table}, whose columns are found by name. A missing cell
     * takes the column's fill value; without one it is an error naming the line and column.
     */
    public Encoded encode(CsvTable table, int[] rows) {
        int w = width(), n = rows.length;
        float[] x = new float[n * w];
        int unknown = 0;
        String firstUnknown = null;
        int offset = 0;
        for (ColumnEncoding col : columns) {
            int c = table.columnIndex(col.name());
            if (col.isCategorical()) {
                Map<String, Integer> index = new HashMap<>();
                for (int k = 0; k < col.categories().size(); k++) index.put(col.categories().get(k), k);
                for (int i = 0; i < n; i++) {
                    String t = table.text(rows[i], c);
                    if (t == null) t = gap(table, rows[i], c, col).fillCategory();
                    Integer k = index.get(t);
                    if (k != null) {
                        x[i * w + offset + k] = 1;
                    } else if (unknown++ == 0) {
                        firstUnknown = "'" + t + "' in column '" + col.name() + "' on line " + table.lineOf(rows[i]);
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float v = table.get(rows[i], c);
                    if (Float.isNaN(v)) {
                        if (!table.isMissing(rows[i], c)) {
                            throw new CsvException(table.source(), table.lineOf(rows[i]), "column " + (c + 1) + " ('"
                                    + Untrusted.text(col.name()) + "'): \"" + Untrusted.text(table.text(rows[i], c)) + "\" is not a number");
                        }
                        v = gap(table, rows[i], c, col).fill();
                    }
                    x[i * w + offset] = v;
                }
            }
            offset += col.width();
        }
        return new Encoded(Tensor.wrap(x, n, w), unknown, firstUnknown);
    }

    /** The column, when it has a value for a missing cell; an error naming the cell otherwise. */
    private static ColumnEncoding gap(CsvTable table, int row, int c, ColumnEncoding col) {
        if (col.fillsGaps()) return col;
        throw new CsvException(table.source(), table.lineOf(row), "column " + (c + 1) + " ('" + col.name()
                + "'): missing value, and the model has no value to fill it with (it was trained without the "
                + "missing-value policy mean or median)");
    }
}
