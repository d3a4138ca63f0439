package org.backprop.guard;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * How much a reader will take from one file before it refuses it, so that a hostile or mistaken
 * input (a gzip bomb, {@code /dev/zero}, a sparse file declaring a huge tensor) ends in a one-line
 * error instead of an {@link OutOfMemoryError}. Readers check sizes they know in advance (the
 * real file size, a declared shape) before allocating, and count decompressed bytes as they go.
 *
 * <p>The limits are system properties, read at each use, that a user can raise:
 * {@value #MAX_BYTES_PROPERTY} (bytes one file may occupy in memory once read or decompressed,
 * default half the Java heap; accepts {@code k}, {@code m}, {@code g} suffixes) and
 * {@value #MAX_LINE_PROPERTY} (characters in one CSV line, default 1,048,576). The
 * {@code backprop} command passes them in {@code BACKPROP_JAVA_OPTS}.
 */
public final class InputLimits {
    public static final String MAX_BYTES_PROPERTY = "backprop.maxInputBytes";
    public static final String MAX_LINE_PROPERTY = "backprop.maxLineChars";
    static final int DEFAULT_MAX_LINE = 1 << 20;
    /** Java arrays hold at most this many elements (a little under 2^31). */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private InputLimits() {}

    /** A file (or its decompressed content, or what is built from it) is larger than a limit allows. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        public TooLargeException(String message) {
            super(message);
        }
    }

    /** Bytes one input may occupy in memory: {@value #MAX_BYTES_PROPERTY}, default half the heap. */
    public static long maxBytes() {
        String v = System.getProperty(MAX_BYTES_PROPERTY);
        if (v == null || v.isBlank()) return Runtime.getRuntime().maxMemory() / 2;
        return parseSize(MAX_BYTES_PROPERTY, v);
    }

    /** Characters one line of a text file may have: {@value #MAX_LINE_PROPERTY}. */
    public static int maxLineChars() {
        String v = System.getProperty(MAX_LINE_PROPERTY);
        if (v == null || v.isBlank()) return DEFAULT_MAX_LINE;
        return (int) Math.min(MAX_ARRAY, parseSize(MAX_LINE_PROPERTY, v));
    }

    static long parseSize(String property, String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g' || last == 't') {
            unit = 1L << (10 * ("kmgt".indexOf(last) + 1));
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s);
            if (n <= 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("system property " + property + "=" + Untrusted.quote(v)
                    + " is not a size such as 4g, 512m or 1000000");
        }
    }

    /** Throws unless {@code bytes} (what {@code source}'s {@code what} needs in memory) is within {@link #maxBytes}. */
    public static void checkBytes(String source, String what, long bytes) throws TooLargeException {
        long max = maxBytes();
        if (bytes < 0 || bytes > max) throw tooLarge(source, what + " needs " + size(bytes), max);
    }

    static TooLargeException tooLarge(String source, String problem, long max) {
        return new TooLargeException(source + ": " + problem + ", over the input limit of " + size(max)
                + " (raise it with -D" + MAX_BYTES_PROPERTY + "=SIZE, and the heap with -Xmx; for the backprop "
                + "command put both in BACKPROP_JAVA_OPTS)");
    }

    /** A byte count for people: {@code 4.3 GB}, {@code 512 bytes}. */
    public static String size(long bytes) {
        if (bytes < 0) return "more than 2^63 bytes";
        if (bytes < 10_000) return bytes + " bytes";
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * {@code in}, failing with a one-line error once more than {@code max} bytes have been read
     * from it: for decompressed streams, whose size is not known in advance.
     */
    public static InputStream bounded(InputStream in, String source, String what, long max) {
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) add(1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) add(n);
                return n;
            }

            private void add(int n) throws TooLargeException {
                count += n;
                if (count > max) throw tooLarge(source, what + " holds more than " + size(max), max);
            }
        };
    }
}
