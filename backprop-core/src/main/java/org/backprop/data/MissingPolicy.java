package org.backprop.data;

import java.util.Locale;

/**
 * What to do with missing cells ({@link CsvTable#isMissing}) of the columns a model uses.
 * Fill values are fitted on the training part only and saved with the model, so predictions fill
 * a gap with the same value training did. A row whose target is missing cannot be learnt from
 * or scored: {@link #MEAN} and {@link #MEDIAN} drop it too.
 */
public enum MissingPolicy {
    /** Drop every row with a missing cell in a feature or the target. */
    DROP,
    /** Fill a numeric gap with the column's training mean, a category gap with its most frequent category. */
    MEAN,
    /** Fill a numeric gap with the column's training median, a category gap with its most frequent category. */
    MEDIAN,
    /** Refuse the table, naming the count and the first missing cell. */
    FAIL;

    /** Whether gaps in features are filled (rather than dropped or refused). */
    public boolean fills() {
        return this == MEAN || this == MEDIAN;
    }

    /** The lower-case name used on the command line and in model files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** drop, mean, median or fail (any case). */
    public static MissingPolicy parse(String s) {
        for (MissingPolicy p : values()) if (p.label().equalsIgnoreCase(s.strip())) return p;
        throw new IllegalArgumentException("missing-value policy must be drop, mean, median or fail, not '" + s + "'");
    }
}
