package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {
    @TempDir
    Path dir;

    /** One 512-byte header: name, octal size, type, ustar magic, checksum. */
    static byte[] header(String name, long size, char type, String prefix) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        put(h, 100, "0000644\0");
        put(h, 124, String.format("%011o\0", size));
        put(h, 136, "00000000000\0");
        h[156] = (byte) type;
        put(h, 257, "ustar\0" + "00");
        if (prefix != null) put(h, 345, prefix);
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        put(h, 148, String.format("%06o\0 ", sum));
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    static void member(ByteArrayOutputStream out, byte[] header, byte[] body) {
        out.writeBytes(header);
        out.writeBytes(body);
        out.writeBytes(new byte[(512 - body.length % 512) % 512]);
    }

    private byte[] archive() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        member(out, header("dir/", 0, '5', null), new byte[0]);
        member(out, header("dir/a.wav", 3, '0', null), new byte[] {1, 2, 3});
        member(out, header("dir/skip.txt", 700, '0', null), new byte[700]);
        String longName = "dir/" + "x".repeat(150) + "/b.wav";
        member(out, header("././@LongLink", longName.length() + 1, 'L', null), (longName + "\0").getBytes());
        member(out, header("truncated-name", 2, '0', null), new byte[] {4, 5});
        String pax = "pax/c.wav";
        String record = "path=" + pax + "\n";
        String paxBody = (record.length() + 3) + " " + record; // the length counts its own digits and space
        member(out, header("PaxHeaders/c", paxBody.length(), 'x', null), paxBody.getBytes());
        member(out, header("ignored", 1, '0', null), new byte[] {6});
        member(out, header("d.wav", 1, '0', "prefix/folder"), new byte[] {7});
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private Map<String, byte[]> readAll(byte[] tar, boolean gzip) throws IOException {
        Path file = dir.resolve(gzip ? "a.tar.gz" : "a.tar");
        if (gzip) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
                z.write(tar);
            }
            tar = gz.toByteArray();
        }
        Files.write(file, tar);
        Map<String, byte[]> got = new LinkedHashMap<>();
        TarReader.read(file, n -> n.endsWith(".wav"), 1000, got::put);
        return got;
    }

    @Test
    void readsWantedMembersInOrderWithLongAndPaxNames() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Map<String, byte[]> got = readAll(archive(), gzip);
            assertEquals(java.util.List.of("dir/a.wav", "dir/" + "x".repeat(150) + "/b.wav", "pax/c.wav", "prefix/folder/d.wav"),
                    java.util.List.copyOf(got.keySet()));
            assertArrayEquals(new byte[] {1, 2, 3}, got.get("dir/a.wav"));
            assertArrayEquals(new byte[] {4, 5}, got.get("dir/" + "x".repeat(150) + "/b.wav"));
            assertArrayEquals(new byte[] {6}, got.get("pax/c.wav"));
            assertArrayEquals(new byte[] {7}, got.get("prefix/folder/d.wav"));
        }
    }

    private void assertRefused(byte[] tar, String expected) {
        IOException e = assertThrows(IOException.class, () -> readAll(tar, true));
        assertTrue(e.getMessage().contains("a.tar.gz: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void damagedArchivesGiveOneLineErrors() throws IOException {
        byte[] ok = archive();
        assertRefused("hello, not a tar".getBytes(), "not a tar archive");
        byte[] letters = new byte[600];
        Arrays.fill(letters, (byte) 'A');
        assertRefused(letters, "not a tar archive");
        for (int cut : new int[] {520, 1100, 1536, 2000}) assertRefused(Arrays.copyOf(ok, cut), "truncated");
        byte[] badSum = ok.clone();
        badSum[512 + 5] ^= 1; // a name byte of the second header
        assertRefused(badSum, "damaged (bad checksum)");
        // A header claiming a huge member: refused by the bound, never allocated.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        member(out, header("huge.wav", 077777777777L, '0', null), new byte[0]);
        assertRefused(out.toByteArray(), "huge.wav is 8589934591 bytes, more than the 1000 expected");
        // ...and one the filter skips runs into the end of the data instead of hanging.
        out.reset();
        member(out, header("huge.txt", 077777777777L, '0', null), new byte[0]);
        assertRefused(out.toByteArray(), "truncated");
        // A gzip stream cut short.
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(ok);
        }
        Path cut = Files.write(dir.resolve("cut.tar.gz"), Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        IOException e = assertThrows(IOException.class, () -> TarReader.read(cut, n -> true, 1000, (n, b) -> { }));
        assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
    }
}
