package org.backprop.data;

import java.io.IOException;
import java.io.Reader;
import org.backprop.guard.InputLimits;

/**
 * Lines of a text stream, like {@link java.io.BufferedReader#readLine} (ends: {@code \n},
 * {@code \r\n}, {@code \r}) but refusing a line longer than a limit: {@code BufferedReader} would
 * buffer a line without end ({@code /dev/zero}, a binary file) until the heap runs out.
 */
final class LineReader {
    private final Reader in;
    private final String source;
    private final int maxChars;
    private final char[] buf = new char[1 << 16];
    private int pos, end;
    private boolean skipLf;
    private final StringBuilder line = new StringBuilder();

    LineReader(Reader in, String source, int maxChars) {
        this.in = in;
        this.source = source;
        this.maxChars = maxChars;
    }

    /** The next line without its end, or {@code null} at the end of the stream. */
    String next(int lineNo) throws IOException {
        line.setLength(0);
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return any ? line.toString() : null;
                }
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') pos++;
            if (line.length() + (pos - start) > maxChars) {
                throw new CsvException(source, lineNo, "the line is longer than " + maxChars + " characters (is this a"
                        + " text file? raise the limit with -D" + InputLimits.MAX_LINE_PROPERTY + "=N)");
            }
            line.append(buf, start, pos - start);
            if (pos < end) {
                skipLf = buf[pos] == '\r';
                pos++;
                return line.toString();
            }
        }
    }
}
