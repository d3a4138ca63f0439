package org.backprop.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.backprop.guard.InputLimits;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST, plain or gzipped (recognised by the
 * gzip magic bytes, not the file name).
 *
 * <p>Layout: a 4-byte big-endian magic number {@code 0x0000TTDD} (TT the element type, DD the
 * number of dimensions), then DD big-endian 32-bit sizes, then the elements in row-major order.
 * Only unsigned bytes (type {@code 0x08}) are read, which is what the image files
 * ({@value #IMAGES}, as hex 0x00000803: [N, rows, cols]) and label files ({@value #LABELS},
 * 0x00000801: [N]) hold. Every problem is reported with the file name and what was expected.
 */
public final class Idx {
    private Idx() {}

    /** Magic number of an image file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES = 0x00000803;
    /** Magic number of a label file: unsigned bytes, 1 dimension. */
    public static final int LABELS = 0x00000801;

    /** The contents of an IDX file: its dimensions and its elements as unsigned bytes (0..255 in {@code byte}s). */
    public record Data(int[] dims, byte[] values) {
        /** Element {@code i} in row-major order, as 0..255. */
        public int unsigned(int i) {
            return values[i] & 0xff;
        }

        /** Number of items along the first dimension. */
        public int count() {
            return dims[0];
        }
    }

    /** Reads an IDX file, checking that its magic number is {@code expectedMagic}. */
    public static Data read(Path file, int expectedMagic) throws IOException {
        return parse(readBytes(file), file.toString(), expectedMagic);
    }

    /**
     * The bytes of {@code file}, refused by its real size when they would not fit the input
     * limit (or a Java array), so a huge file fails before it is read.
     */
    public static byte[] readBytes(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not an IDX file");
        long size = Files.size(file);
        InputLimits.checkBytes(file.toString(), "the file", size);
        if (size > InputLimits.MAX_ARRAY) {
            throw new InputLimits.TooLargeException(file + ": the file has " + InputLimits.size(size)
                    + ", more than one Java array can hold");
        }
        // Read in slices: Files.readAllBytes hands the whole array to one channel read, which copies
        // through a direct buffer as large as the file and keeps it cached for the thread (26 MB of
        // resident memory for the rest of a Fashion-MNIST run).
        byte[] bytes = new byte[(int) size];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; n < bytes.length && (r = in.read(bytes, n, Math.min(READ_SLICE, bytes.length - n))) > 0; ) n += r;
            if (n == bytes.length && in.read() >= 0) return Files.readAllBytes(file); // it grew meanwhile: rare, take it whole
        }
        return n == bytes.length ? bytes : Arrays.copyOf(bytes, n);
    }

    private static final int READ_SLICE = 1 << 16;

    /**
     * Parses the bytes of an IDX file, decompressing them first when they are gzipped.
     *
     * @param name the file name used in error messages
     */
    public static Data parse(byte[] bytes, String name, int expectedMagic) throws IOException {
        boolean gzipped = isGzip(bytes);
        Data streamed = gzipped ? streamed(bytes, expectedMagic) : null;
        if (streamed != null) return streamed;
        byte[] raw = gzipped ? gunzip(bytes, name) : bytes;
        if (raw.length < 4) {
            throw new IOException(name + ": not an IDX file: expected at least 4 bytes of header, found " + raw.length);
        }
        int magic = intAt(raw, 0);
        if (magic != expectedMagic) {
            throw new IOException(String.format("%s: wrong IDX magic number 0x%08x, expected 0x%08x (%s)", name, magic,
                    expectedMagic, describe(expectedMagic)));
        }
        int nd = magic & 0xff;
        int header = 4 + 4 * nd;
        if (raw.length < header) {
            throw new IOException(name + ": truncated IDX header: expected " + header + " bytes for " + nd
                    + " dimensions, found " + raw.length);
        }
        int[] dims = new int[nd];
        long n = 1;
        boolean overflow = false;
        for (int d = 0; d < nd; d++) {
            dims[d] = intAt(raw, 4 + 4 * d);
            if (dims[d] < 0) throw new IOException(name + ": dimension " + d + " is negative (" + dims[d] + ")");
            try {
                n = Math.multiplyExact(n, (long) dims[d]);
            } catch (ArithmeticException e) {
                overflow = true; // a later 0 still makes the product 0
            }
        }
        if (Arrays.stream(dims).anyMatch(d -> d == 0)) {
            n = 0;
        } else if (overflow) {
            throw new IOException(name + ": IDX dimensions " + Arrays.toString(dims) + " declare more elements than a "
                    + "64-bit count holds (the file has " + raw.length + " bytes)");
        }
        if (n != raw.length - header) {
            String what = n > raw.length - header ? "truncated" : "has trailing bytes";
            long expected = n > Long.MAX_VALUE - header ? Long.MAX_VALUE : header + n;
            throw new IOException(name + ": IDX data " + what + ": dimensions " + Arrays.toString(dims) + " need "
                    + expected + " bytes, found " + raw.length);
        }
        return new Data(dims, Arrays.copyOfRange(raw, header, raw.length));
    }

    /**
     * A well-formed gzipped file's elements decompressed straight into their own array, without
     * the whole decompressed file and its copy beside it (Fashion-MNIST's training images: 47 MB
     * held instead of ~140 MB at the peak of loading, which set the heap a run needs); {@code null}
     * when anything is off (magic, sizes, limits, a corrupt stream), so that the full parse reports it.
     */
    private static Data streamed(byte[] bytes, int expectedMagic) {
        long max = Math.min(InputLimits.maxBytes(), InputLimits.MAX_ARRAY);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4 || intAt(magic, 0) != expectedMagic) return null;
            int nd = expectedMagic & 0xff;
            byte[] sizes = in.readNBytes(4 * nd);
            if (sizes.length < 4 * nd) return null;
            int[] dims = new int[nd];
            long n = 1;
            for (int d = 0; d < nd; d++) {
                dims[d] = intAt(sizes, 4 * d);
                n *= dims[d]; // no overflow: each factor < 2^31 and the product so far ≤ max < 2^31
                if (dims[d] <= 0 || 4 + 4L * nd + n > max) return null;
            }
            byte[] values = new byte[(int) n];
            if (in.readNBytes(values, 0, values.length) != values.length || in.read() >= 0) return null;
            return new Data(dims, values);
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    /** Decompresses a whole gzip file, naming the file when the stream is cut short or corrupt. */
    static byte[] gunzip(byte[] bytes, String name) throws IOException {
        return gunzipped(bytes, name, InputStream::readAllBytes);
    }

    /** Decompresses a whole gzip file into {@code out} (a digest, say, so that the content is never held whole). */
    static void gunzipTo(byte[] bytes, String name, OutputStream out) throws IOException {
        gunzipped(bytes, name, in -> in.transferTo(out));
    }

    private interface Reading<T> {
        T from(InputStream in) throws IOException;
    }

    private static <T> T gunzipped(byte[] bytes, String name, Reading<T> reading) throws IOException {
        long max = Math.min(InputLimits.maxBytes(), InputLimits.MAX_ARRAY);
        try (InputStream in = InputLimits.bounded(new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16), name,
                "the decompressed data", max)) {
            return reading.from(in);
        } catch (InputLimits.TooLargeException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(name + ": gzip data is truncated or corrupt (" + bytes.length + " compressed bytes): "
                    + e.getMessage(), e);
        }
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static String describe(int magic) {
        return switch (magic) {
            case IMAGES -> "unsigned-byte images, 3 dimensions";
            case LABELS -> "unsigned-byte labels, 1 dimension";
            default -> "type 0x" + Integer.toHexString(magic >> 8 & 0xff) + ", " + (magic & 0xff) + " dimensions";
        };
    }
}
