package org.backprop.data;

/**
 * A table with missing cells under {@link MissingPolicy#FAIL}: how many, and where the first is,
 * so the message can say what to do (the CLI names its {@code --missing} option).
 */
public final class MissingValuesException extends IllegalArgumentException {
    private final String source;
    private final int count;
    private final int firstLine;
    private final String firstColumn;

    public MissingValuesException(String source, int count, int firstLine, String firstColumn) {
        super(source + ": " + count + " missing value" + (count == 1 ? "" : "s") + " (the first on line " + firstLine
                + ", column '" + firstColumn + "'); drop those rows or fill the gaps with the column's mean or median");
        this.source = source;
        this.count = count;
        this.firstLine = firstLine;
        this.firstColumn = firstColumn;
    }

    public String source() {
        return source;
    }

    public int count() {
        return count;
    }

    public int firstLine() {
        return firstLine;
    }

    public String firstColumn() {
        return firstColumn;
    }
}
