package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

/** Helpers that build hostile inputs and check the errors they give (issue 17). */
public final class Hostile {
    private Hostile() {}

    /** A gzip stream of {@code repeats} copies of {@code unit}, built without holding the decompressed data. */
    public static byte[] gzipRepeated(byte[] prefix, byte[] unit, long repeats) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            gz.write(prefix);
            byte[] block = new byte[unit.length * Math.max(1, (1 << 16) / unit.length)];
            for (int i = 0; i < block.length; i++) block[i] = unit[i % unit.length];
            long per = block.length / unit.length;
            for (long done = 0; done < repeats; done += per) {
                gz.write(block, 0, (int) (Math.min(per, repeats - done) * unit.length));
            }
        }
        return bytes.toByteArray();
    }

    /** Runs {@code body} with a system property set, then restores it. */
    public static <T> T withProperty(String key, String value, Callable<T> body) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.call();
        } finally {
            if (old == null) System.clearProperty(key);
            else System.setProperty(key, old);
        }
    }

    /** A clear one-line error: short, one line, and no character a terminal would act on. */
    public static void assertOneLine(Throwable e) {
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank(), "no message: " + e);
        assertTrue(m.length() < 600, "message of " + m.length() + " chars: " + m.substring(0, Math.min(200, m.length())));
        for (char c : m.toCharArray()) {
            assertTrue(c >= 0x20 && !(c >= 0x7f && c <= 0x9f), "control character " + (int) c + " in: " + m);
        }
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
