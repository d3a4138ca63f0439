package org.backprop.data;

/**
 * How a numeric CSV file is laid out.
 *
 * @param delimiter the character between fields (',' by default)
 * @param header    whether the first line read (after the skipped ones) names the columns; without
 *                  a header the columns are named {@code column1}, {@code column2}, ...
 * @param skipLines lines to ignore before the header (or before the first data row): some files
 *                  start with a line of their own, such as the row and column counts
 */
public record CsvFormat(char delimiter, boolean header, int skipLines) {

    /** Comma-separated, with a header line, nothing skipped. */
    public static final CsvFormat DEFAULT = new CsvFormat(',', true, 0);

    public CsvFormat {
        if (skipLines < 0) throw new IllegalArgumentException("CsvFormat: lines to skip must be >= 0, got " + skipLines);
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("CsvFormat: the delimiter cannot be a quote or a line break");
        }
    }

    public CsvFormat withDelimiter(char delimiter) {
        return new CsvFormat(delimiter, header, skipLines);
    }

    public CsvFormat withHeader(boolean header) {
        return new CsvFormat(delimiter, header, skipLines);
    }

    public CsvFormat withSkipLines(int skipLines) {
        return new CsvFormat(delimiter, header, skipLines);
    }
}
