package org.backprop.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How one input column of a table becomes network inputs, as fitted on the training part: a
 * numeric column is one input; a text column is one-hot encoded, one input per category seen in
 * training ({@code color=red}, {@code color=blue}, ...).
 *
 * @param name         the column's name in the table
 * @param categories   the categories in input order; empty for a numeric column
 * @param fill         the value that fills a missing numeric cell, or NaN when gaps are not filled
 * @param fillCategory the category that fills a missing text cell, or {@code null} when gaps are not filled
 */
public record ColumnEncoding(String name, List<String> categories, float fill, String fillCategory) {

    public ColumnEncoding {
        Objects.requireNonNull(name, "column name");
        categories = List.copyOf(categories);
        if (!categories.isEmpty() && !Float.isNaN(fill)) {
            throw new IllegalArgumentException("column '" + name + "': a category column is filled with a category, not " + fill);
        }
        if (fillCategory != null && !categories.contains(fillCategory)) {
            throw new IllegalArgumentException("column '" + name + "': fill category '" + fillCategory
                    + "' is not one of its categories " + categories);
        }
        if (Float.isInfinite(fill)) throw new IllegalArgumentException("column '" + name + "': fill value " + fill);
    }

    /** A numeric column. */
    public static ColumnEncoding numeric(String name, float fill) {
        return new ColumnEncoding(name, List.of(), fill, null);
    }

    /** A one-hot encoded text column. */
    public static ColumnEncoding categorical(String name, List<String> categories, String fillCategory) {
        if (categories.isEmpty()) throw new IllegalArgumentException("column '" + name + "': no categories");
        return new ColumnEncoding(name, categories, Float.NaN, fillCategory);
    }

    public boolean isCategorical() {
        return !categories.isEmpty();
    }

    /** Whether a missing cell has a value to take. */
    public boolean fillsGaps() {
        return isCategorical() ? fillCategory != null : !Float.isNaN(fill);
    }

    /** Network inputs this column becomes. */
    public int width() {
        return isCategorical() ? categories.size() : 1;
    }

    /** The inputs' names: the column's, or {@code column=category} for each category. */
    public List<String> inputNames() {
        if (!isCategorical()) return List.of(name);
        List<String> out = new ArrayList<>();
        for (String c : categories) out.add(name + "=" + c);
        return out;
    }
}
