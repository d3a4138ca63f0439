package org.backprop.data;

import org.backprop.guard.Untrusted;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

/** How {@link CsvTable} reads a cell that is not a plain number: missing-value spellings, text cells, number text. */
final class Cells {
    private Cells() {}

    /** An empty field or a spelling of a missing value. */
    static boolean isMissing(String field) {
        return field.isEmpty() || CsvTable.MISSING_TOKENS.contains(field);
    }

    /** A number as text in its shortest plain form: 3 for 3.0, 0.5, -12.25; never an exponent. */
    static String canonical(float v) {
        if (v == 0) return "0";
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** The text cells of a table, kept per column only for the columns that have some. */
    static final class Text {
        private String[][] byColumn = new String[0][];
        private int[] count = new int[0];
        private int[] firstLine = new int[0];

        void put(int column, int row, int line, String value) {
            if (column >= byColumn.length) {
                byColumn = Arrays.copyOf(byColumn, column + 1);
                count = Arrays.copyOf(count, column + 1);
                firstLine = Arrays.copyOf(firstLine, column + 1);
            }
            String[] cells = byColumn[column];
            if (cells == null) {
                cells = byColumn[column] = new String[Math.max(64, row + 1)];
                firstLine[column] = line;
            } else if (row >= cells.length) {
                cells = byColumn[column] = Arrays.copyOf(cells, Math.max(cells.length * 2, row + 1));
            }
            cells[row] = value;
            count[column]++;
        }

        boolean has(int column) {
            return column < byColumn.length && byColumn[column] != null;
        }

        String get(int column, int row) {
            if (!has(column)) return null;
            String[] cells = byColumn[column];
            return row < cells.length ? cells[row] : null;
        }

        /**
         * A column whose numbers are at least as many as its words is a numeric column with a
         * typing error (or an unknown spelling of a missing value): that is an error at its first
         * word, rather than a surprise category.
         */
        void rejectStrayWords(float[] values, int rows, List<String> columns, String source) {
            int width = columns.size();
            for (int c = 0; c < byColumn.length; c++) {
                if (byColumn[c] == null) continue;
                int numbers = 0;
                for (int r = 0; r < rows; r++) if (!Float.isNaN(values[r * width + c])) numbers++;
                if (numbers < count[c]) continue;
                String word = null;
                for (int r = 0; word == null; r++) word = get(c, r);
                throw new CsvException(source, firstLine[c], "column " + (c + 1) + " ('" + Untrusted.text(columns.get(c)) + "'): \""
                        + Untrusted.text(word) + "\" is not a number (" + numbers + " of the column's values are numbers; a missing value is "
                        + "written as an empty field, NA, NaN, null or ?)");
            }
        }
    }
}
