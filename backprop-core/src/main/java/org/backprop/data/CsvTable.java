package org.backprop.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.backprop.guard.InputLimits;
import org.backprop.guard.Untrusted;
import org.backprop.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table read from a CSV file: named columns, one row per data line.
 *
 * <p>The parser is deliberately small: delimiters, optional double quotes around a field
 * ({@code ""} inside quotes is a quote) and surrounding spaces. Fields spanning lines are rejected
 * with an error that names the file, the line and the column. Blank lines are skipped. Files
 * whose name ends in {@code .gz} are decompressed.
 *
 * <p>Cells are numbers, text or missing. A missing value is written as an empty field or one of
 * {@link #MISSING_TOKENS} ({@code NA}, {@code NaN}, {@code null}, {@code ?}, ...); {@link #get}
 * gives NaN for it. A column whose present cells are mostly text is a text column (for class
 * labels or categories: {@link #text}); a column of numbers with a few words among them is a
 * typing error and is rejected at the first word, naming its line.
 *
 * <p>Turn a numeric table into a {@link Dataset} with {@link #toClassification} or
 * {@link #toRegression}; tables with labels, categories or gaps go through {@link TabularData}.
 */
public final class CsvTable {
    private static final Logger LOG = LoggerFactory.getLogger(CsvTable.class);

    /** The spellings of a missing value (besides the empty field), as R, pandas, SQL and the UCI files write it. */
    public static final Set<String> MISSING_TOKENS = Set.of("NA", "N/A", "na", "n/a", "NaN", "nan", "NAN", "null",
            "NULL", "Null", "None", "?");

    private final String source;
    private final List<String> columns;
    private final float[] values; // row-major, rowCount × columnCount; NaN where the cell is missing or text
    private final int[] lines;    // the file line of each row, for error messages
    private final Cells.Text text; // the text cells, by column
    private final int headerLine; // the header's file line, 0 without a header

    private CsvTable(String source, List<String> columns, float[] values, int[] lines, Cells.Text text, int headerLine) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.values = values;
        this.lines = lines;
        this.text = text;
        this.headerLine = headerLine;
    }

    /** Reads a UTF-8 CSV file (gzip-compressed when its name ends in {@code .gz}). */
    public static CsvTable read(Path file, CsvFormat format) throws IOException {
        if (Files.isDirectory(file)) throw new CsvException(file.toString(), 0, "is a directory, not a CSV file");
        InputStream in = Files.newInputStream(file);
        try {
            if (file.getFileName() != null && file.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in);
        } catch (IOException e) {
            in.close();
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), format);
        }
    }

    /**
     * Reads CSV text from {@code reader}; {@code source} names it in error messages (a file name
     * or a resource path). Does not close the reader.
     */
    public static CsvTable read(Reader reader, String source, CsvFormat format) throws IOException {
        LineReader in = new LineReader(reader, source, InputLimits.maxLineChars());
        long maxValues = InputLimits.maxBytes() / Float.BYTES;
        int lineNo = 0;
        for (; lineNo < format.skipLines(); lineNo++) {
            if (in.next(lineNo + 1) == null) {
                throw new CsvException(source, 0, lineNo == 0 ? "the file is empty"
                        : "the file has only " + lineNo + " line(s), but " + format.skipLines()
                                + " are to be skipped before the " + (format.header() ? "header" : "data"));
            }
        }

        List<String> columns = null;
        int headerLine = 0;
        float[] values = new float[1024];
        int[] lines = new int[64];
        Cells.Text texts = new Cells.Text();
        int rows = 0;
        String text;
        while ((text = in.next(lineNo + 1)) != null) {
            lineNo++;
            if (text.indexOf('\0') >= 0) {
                throw new CsvException(source, lineNo, "binary data (a NUL character): this is not a CSV text file");
            }
            if (lineNo == 1 && !text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1); // UTF-8 BOM
            if (text.isBlank()) continue;
            List<String> fields = split(text, format.delimiter(), source, lineNo);
            if (columns == null && format.header()) {
                columns = header(fields, source, lineNo);
                headerLine = lineNo;
                continue;
            }
            if (columns == null) {
                columns = new ArrayList<>();
                for (int c = 1; c <= fields.size(); c++) columns.add("column" + c);
                headerLine = lineNo;
            }
            int width = columns.size();
            if (fields.size() != width) {
                throw new CsvException(source, lineNo, "expected " + width + " columns ("
                        + (format.header() ? "as in the header on line " + headerLine : "as on the first data line " + headerLine)
                        + "), found " + fields.size());
            }
            long needed = (long) (rows + 1) * width;
            if (needed > Math.min(maxValues, InputLimits.MAX_ARRAY)) {
                throw new InputLimits.TooLargeException(source + " line " + lineNo + ": the table holds more than "
                        + needed / width + " rows of " + width + " numbers ("
                        + InputLimits.size(needed * Float.BYTES) + "), over the input limit of "
                        + InputLimits.size(Math.min(maxValues, InputLimits.MAX_ARRAY) * Float.BYTES) + " (raise it with -D"
                        + InputLimits.MAX_BYTES_PROPERTY + "=SIZE and the heap with -Xmx; the backprop command takes"
                        + " both in BACKPROP_JAVA_OPTS)");
            }
            if (needed > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(Math.max(values.length * 2L, needed),
                        Math.min(maxValues, InputLimits.MAX_ARRAY)));
            }
            if (rows == lines.length) lines = Arrays.copyOf(lines, rows * 2);
            for (int c = 0; c < width; c++) {
                String field = fields.get(c);
                if (Cells.isMissing(field)) {
                    values[rows * width + c] = Float.NaN;
                } else if (!isDecimal(field)) {
                    values[rows * width + c] = Float.NaN;
                    texts.put(c, rows, lineNo, field);
                } else {
                    values[rows * width + c] = parse(field, columns.get(c), c, source, lineNo);
                }
            }
            lines[rows++] = lineNo;
        }

        if (columns == null) {
            if (lineNo == 0) throw new CsvException(source, 0, "the file is empty");
            throw new CsvException(source, 0, "no " + (format.header() ? "header" : "data") + " line"
                    + (format.skipLines() > 0 ? " after the " + format.skipLines() + " skipped line(s)" : "")
                    + " (only blank lines)");
        }
        if (rows == 0) {
            throw new CsvException(source, 0, "no data rows after the header on line " + headerLine);
        }
        LOG.debug("read {} rows × {} columns from {}", rows, columns.size(), source);
        float[] kept = Arrays.copyOf(values, rows * columns.size());
        texts.rejectStrayWords(kept, rows, columns, source);
        return new CsvTable(source, columns, kept, Arrays.copyOf(lines, rows), texts, format.header() ? headerLine : 0);
    }

    private static List<String> header(List<String> fields, String source, int lineNo) {
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < fields.size(); c++) {
            String name = fields.get(c);
            if (name.isEmpty()) throw new CsvException(source, lineNo, "header: column " + (c + 1) + " has no name");
            if (!seen.add(name)) {
                throw new CsvException(source, lineNo, "header: column name " + Untrusted.quote(name) + " appears twice");
            }
        }
        return fields;
    }

    private static float parse(String field, String column, int c, String source, int lineNo) {
        String where = "column " + (c + 1) + " (" + Untrusted.quote(column) + "): ";
        if (field.isEmpty()) {
            throw new CsvException(source, lineNo, where + "empty value (missing values are not supported)");
        }
        if (!isDecimal(field)) {
            throw new CsvException(source, lineNo, where + Untrusted.quote(field) + " is not a number");
        }
        float v = Float.parseFloat(field);
        if (Float.isInfinite(v)) {
            throw new CsvException(source, lineNo, where + Untrusted.quote(field) + " is too large for a 32-bit float");
        }
        return v;
    }

    /**
     * A plain decimal number, optionally with an exponent: {@code [+-]?(d+.?d*|.d+)([eE][+-]?d+)?},
     * checked in one pass (a regular expression backtracks quadratically on a long digit run that
     * ends in a non-digit). {@link Float#parseFloat} alone would also accept "1f", "0x1p3", "NaN"
     * or "Infinity", none of which belongs in a data file.
     */
    static boolean isDecimal(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int intDigits = 0, fracDigits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits + fracDigits == 0) return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) return false;
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Splits one line into trimmed, unquoted fields. */
    static List<String> split(String line, char delimiter, String source, int lineNo) {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            while (i < n && line.charAt(i) != delimiter && Character.isWhitespace(line.charAt(i))) i++;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new CsvException(source, lineNo, "field " + (out.size() + 1)
                                + ": unterminated quote (a field cannot span lines)");
                    }
                    char ch = line.charAt(i++);
                    if (ch != '"') {
                        sb.append(ch);
                    } else if (i < n && line.charAt(i) == '"') {
                        sb.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
                while (i < n && line.charAt(i) != delimiter && Character.isWhitespace(line.charAt(i))) i++;
                if (i < n && line.charAt(i) != delimiter) {
                    throw new CsvException(source, lineNo, "field " + (out.size() + 1)
                            + ": unexpected text after the closing quote: " + Untrusted.quote(line.substring(i)));
                }
                out.add(sb.toString().strip());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != delimiter) i++;
                out.add(line.substring(start, i).strip());
            }
            if (i >= n) return out;
            i++; // the delimiter
        }
    }

    // ---------------------------------------------------------------- access

    /** The file or resource the table was read from. */
    public String source() {
        return source;
    }

    public List<String> columns() {
        return columns;
    }

    public int rowCount() {
        return lines.length;
    }

    public int columnCount() {
        return columns.size();
    }

    public float get(int row, int column) {
        if (row < 0 || row >= rowCount() || column < 0 || column >= columnCount()) {
            throw new IndexOutOfBoundsException("CsvTable.get(" + row + ", " + column + ") outside " + rowCount()
                    + " rows × " + columnCount() + " columns");
        }
        return values[row * columnCount() + column];
    }

    /** The file line (1-based) that row {@code row} came from. */
    public int lineOf(int row) {
        return lines[row];
    }

    /** The header's file line (1-based), or 0 when the file has no header. */
    public int headerLine() {
        return headerLine;
    }

    /** Whether the cell is missing (empty or one of {@link #MISSING_TOKENS}). */
    public boolean isMissing(int row, int column) {
        return Float.isNaN(get(row, column)) && text.get(column, row) == null;
    }

    /** Whether the column holds text (labels or categories) rather than numbers. */
    public boolean isText(int column) {
        return text.has(column);
    }

    /**
     * The cell as text: a text cell as written, a number in its shortest form ({@code 3} for
     * "3.0" or "3", {@code 0.5} for ".5"), or {@code null} when the cell is missing.
     */
    public String text(int row, int column) {
        String t = text.get(column, row);
        if (t != null) return t;
        float v = get(row, column);
        return Float.isNaN(v) ? null : Cells.canonical(v);
    }

    /** The number of missing cells of a column. */
    public int missingCount(int column) {
        int n = 0;
        for (int r = 0; r < rowCount(); r++) if (isMissing(r, column)) n++;
        return n;
    }

    /** The position of a column, or an error listing the available columns. */
    public int columnIndex(String name) {
        int c = columns.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException(source + ": no column named " + Untrusted.quote(name)
                    + "; available columns: " + listed(columns));
        }
        return c;
    }

    /** Column names for an error message: quoted, and at most a few of them. */
    static String listed(List<String> names) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(names.size(), 12);
        for (int i = 0; i < shown; i++) sb.append(i == 0 ? "" : ", ").append(Untrusted.quote(names.get(i)));
        if (shown < names.size()) sb.append(", ... (").append(names.size() - shown).append(" more)");
        return sb.toString();
    }

    /** A copy of one column's values. */
    public float[] column(String name) {
        int c = columnIndex(name);
        float[] out = new float[rowCount()];
        for (int r = 0; r < out.length; r++) out[r] = values[r * columnCount() + c];
        return out;
    }

    // ---------------------------------------------------------------- to datasets

    /**
     * A classification dataset: targets {@code [N]} from the column {@code target}, which must hold
     * class indices (non-negative integers); features {@code [N, F]} from every other column but
     * those in {@code drop}, in file order.
     */
    public Dataset toClassification(String target, Collection<String> drop) {
        int t = columnIndex(target);
        requireNumbers(t);
        for (int r = 0; r < rowCount(); r++) {
            float v = values[r * columnCount() + t];
            if (v < 0 || v != Math.rint(v) || v > 1 << 24) {
                throw new CsvException(source, lines[r], "column " + (t + 1) + " (" + Untrusted.quote(target) + "): " + v
                        + " is not a class index (a non-negative integer)");
            }
        }
        return toDataset(List.of(target), drop, true);
    }

    /** A regression dataset with one target column: targets {@code [N, 1]}. */
    public Dataset toRegression(String target, Collection<String> drop) {
        return toRegression(List.of(target), drop);
    }

    /**
     * A regression dataset: targets {@code [N, k]} from the named columns (in the order given),
     * features {@code [N, F]} from every other column but those in {@code drop}, in file order.
     */
    public Dataset toRegression(List<String> targets, Collection<String> drop) {
        if (targets.isEmpty()) throw new IllegalArgumentException(source + ": no target column given");
        return toDataset(targets, drop, false);
    }

    private Dataset toDataset(List<String> targets, Collection<String> drop, boolean classIndex) {
        int[] targetCols = new int[targets.size()];
        for (int i = 0; i < targetCols.length; i++) targetCols[i] = columnIndex(targets.get(i));
        if (new HashSet<>(targets).size() != targets.size()) {
            throw new IllegalArgumentException(source + ": a target column is named twice in " + targets);
        }
        Set<Integer> excluded = new LinkedHashSet<>();
        for (int c : targetCols) excluded.add(c);
        for (String d : drop) {
            int c = columnIndex(d);
            if (targets.contains(d)) {
                throw new IllegalArgumentException(source + ": column '" + d + "' is both a target and a column to drop");
            }
            excluded.add(c);
        }
        List<String> featureNames = new ArrayList<>();
        List<Integer> featureCols = new ArrayList<>();
        for (int c = 0; c < columnCount(); c++) {
            if (!excluded.contains(c)) {
                featureNames.add(columns.get(c));
                featureCols.add(c);
            }
        }
        if (featureCols.isEmpty()) {
            throw new IllegalArgumentException(source + ": no feature columns left after taking the target(s) "
                    + targets + " and dropping " + drop);
        }
        for (int c : targetCols) requireNumbers(c);
        for (int c : featureCols) requireNumbers(c);
        int n = rowCount(), w = columnCount(), f = featureCols.size(), k = targetCols.length;
        float[] x = new float[n * f];
        float[] y = new float[n * k];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < f; j++) x[r * f + j] = values[r * w + featureCols.get(j)];
            for (int j = 0; j < k; j++) y[r * k + j] = values[r * w + targetCols[j]];
        }
        Tensor yt = classIndex ? Tensor.wrap(y, n) : Tensor.wrap(y, n, k);
        return new Dataset(Tensor.wrap(x, n, f), yt, featureNames, targets);
    }

    /** The first text or missing cell of a column that must hold numbers, as an error naming its line. */
    void requireNumbers(int c) {
        for (int r = 0; r < rowCount(); r++) requireNumber(r, c);
    }

    /** {@link #requireNumbers(int)} over some rows only. */
    void requireNumbers(int c, int[] rows) {
        for (int r : rows) requireNumber(r, c);
    }

    private void requireNumber(int r, int c) {
        if (!Float.isNaN(values[r * columnCount() + c])) return;
        String where = "column " + (c + 1) + " ('" + Untrusted.text(columns.get(c)) + "'): ";
        String t = text.get(c, r);
        throw new CsvException(source, lines[r], where + (t == null ? "missing value" : "\"" + Untrusted.text(t) + "\" is not a number"));
    }

    @Override
    public String toString() {
        return "CsvTable(" + source + ", " + rowCount() + " rows, columns " + columns + ")";
    }
}
