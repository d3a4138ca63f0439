package org.backprop.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The field-level parsing of {@link CsvTable}: the header, splitting a line (quotes), and strict decimal numbers. */
final class CsvFields {
    private CsvFields() {}

    static List<String> header(List<String> fields, String source, int lineNo) {
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

    static float parse(String field, String column, int c, String source, int lineNo) {
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
}
