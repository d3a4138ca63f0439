package org.backprop.data;

/**
 * A CSV file that cannot be read as a numeric table. The message starts with the file and the
 * line ({@code data.csv line 7: ...}) and says what was expected and what was found.
 */
public final class CsvException extends IllegalArgumentException {
    private final String source;
    private final int line;

    /**
     * @param line 1-based line number in the file, or 0 when the problem concerns the whole file
     */
    public CsvException(String source, int line, String problem) {
        super(source + (line > 0 ? " line " + line : "") + ": " + problem);
        this.source = source;
        this.line = line;
    }

    /** The file (or resource) name. */
    public String source() {
        return source;
    }

    /** The 1-based line number, or 0 when the error is not about one line. */
    public int line() {
        return line;
    }
}
