package org.backprop.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a tar archive (gzipped or not) member by member, in archive order,
 * without extracting anything: POSIX ustar (with its name prefix), GNU long names and pax
 * {@code path} records. Our own rather than commons-compress: the data sets need only this, and
 * every size a header claims is checked before it is read, so a damaged or hostile archive gives
 * a one-line error naming it, never an allocation of what a header claims.
 */
public final class TarReader {
    private static final int BLOCK = 512;
    /** Longest name a GNU long-name or pax header may give. */
    private static final int MAX_NAME_BYTES = 1 << 16;

    /** Receives the members the filter accepted. */
    @FunctionalInterface
    public interface MemberVisitor {
        void visit(String name, byte[] content) throws IOException;
    }

    private TarReader() {}

    /**
     * Calls {@code visitor} with the name and content of each regular file whose name {@code wanted}
     * accepts; others are skipped unread.
     *
     * @param maxMemberBytes a wanted member larger than this is an error (bounds the memory used)
     * @throws IOException naming the archive when it is not a tar archive, is truncated or damaged
     */
    public static void read(Path archive, Predicate<String> wanted, long maxMemberBytes, MemberVisitor visitor)
            throws IOException {
        String where = archive.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                read(in, where, wanted, maxMemberBytes, visitor);
            } catch (java.util.zip.ZipException e) {
                throw new IOException(where + ": damaged gzip data (" + e.getMessage() + ")");
            } catch (EOFException e) {
                throw new IOException(where + ": the archive ends in the middle of a member: it is truncated");
            }
        }
    }

    static void read(InputStream in, String where, Predicate<String> wanted, long maxMemberBytes, MemberVisitor visitor)
            throws IOException {
        byte[] header = new byte[BLOCK];
        String longName = null;
        boolean first = true;
        while (true) {
            int got = in.readNBytes(header, 0, BLOCK);
            if (got < BLOCK) { // a cut between members too: every tar writer ends with zero blocks
                throw new IOException(where + (first ? ": not a tar archive (too short)" : ": the archive is truncated"));
            }
            if (isZero(header)) return;
            if (!checksumOk(header)) {
                throw new IOException(where + (first ? ": not a tar archive (no valid tar header at the start)"
                        : ": a member header is damaged (bad checksum)"));
            }
            first = false;
            long size = octal(header, 124, 12, where);
            char type = (char) header[156];
            String name = longName != null ? longName : name(header);
            longName = null;
            switch (type) {
                case 'L', 'x' -> { // the next member's name, in GNU's or pax's form
                    if (size > MAX_NAME_BYTES) throw new IOException(where + ": an extended header of " + size + " bytes is implausible");
                    byte[] body = in.readNBytes((int) size);
                    if (body.length < size) throw new EOFException();
                    skip(in, padding(size));
                    longName = type == 'L' ? cString(body, 0, body.length) : paxPath(body, where);
                }
                case '0', '\0', '7' -> {
                    if (wanted.test(name)) {
                        if (size > maxMemberBytes) {
                            throw new IOException(where + ": member " + name + " is " + size + " bytes, more than the "
                                    + maxMemberBytes + " expected");
                        }
                        byte[] body = in.readNBytes((int) size);
                        if (body.length < size) throw new EOFException();
                        skip(in, padding(size));
                        visitor.visit(name, body);
                    } else {
                        skip(in, size + padding(size));
                    }
                }
                default -> skip(in, size + padding(size)); // directories, links, global pax headers, ...
            }
        }
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n); // throws EOFException past the end, which the caller reports as truncation
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    /** The header checksum: the sum of its bytes with the checksum field read as spaces. */
    private static boolean checksumOk(byte[] h) {
        long want;
        try {
            want = octal(h, 148, 8, "");
        } catch (IOException e) {
            return false;
        }
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        return sum == want;
    }

    /** A numeric field: octal digits (space or NUL terminated), or GNU's base-256 for big values. */
    private static long octal(byte[] h, int at, int len, String where) throws IOException {
        if ((h[at] & 0x80) != 0) {
            long v = 0;
            for (int i = at + 1; i < at + len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) throw new IOException(where + ": a size field overflows");
                v = v << 8 | (h[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = at;
        while (i < at + len && h[i] == ' ') i++;
        for (; i < at + len && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') throw new IOException(where + ": a numeric header field is not octal");
            if (v > (Long.MAX_VALUE >> 3)) throw new IOException(where + ": a size field overflows");
            v = v << 3 | (h[i] - '0');
        }
        return v;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    /** The {@code path} record of a pax header ("LEN path=NAME\n" records), or null. */
    private static String paxPath(byte[] body, String where) throws IOException {
        int i = 0;
        while (i < body.length) {
            int space = i;
            while (space < body.length && body[space] != ' ') space++;
            int len;
            try {
                len = Integer.parseInt(new String(body, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException(where + ": a pax header record is damaged");
            }
            if (len <= space - i || i + len > body.length) throw new IOException(where + ": a pax header record is damaged");
            String record = new String(body, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) return record.substring(5);
            i += len;
        }
        return null;
    }
}
