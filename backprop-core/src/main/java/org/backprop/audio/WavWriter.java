package org.backprop.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.backprop.io.AtomicFiles;

/**
 * Writes WAV files in every encoding {@link WavReader} reads: for tests, examples, and for saving
 * resampled or synthetic audio. Samples are clipped to [-1, 1] for the integer encodings.
 */
public final class WavWriter {
    /** A sample encoding: PCM integers of 8 (unsigned), 16, 24 or 32 bits, or 32-bit IEEE floats. */
    public enum Encoding {
        PCM8(8, 1), PCM16(16, 1), PCM24(24, 1), PCM32(32, 1), FLOAT32(32, 3);

        final int bits, tag;

        Encoding(int bits, int tag) {
            this.bits = bits;
            this.tag = tag;
        }
    }

    private WavWriter() {}

    /**
     * The bytes of a WAV file.
     *
     * @param channels   one array per channel (1 or 2), of equal length
     * @param extensible whether to write a WAVE_FORMAT_EXTENSIBLE header (40-byte 'fmt ' chunk)
     */
    public static byte[] encode(float[][] channels, int sampleRate, Encoding enc, boolean extensible) {
        int c = channels.length, n = channels[0].length, bytes = enc.bits / 8;
        if (c < 1 || c > 2) throw new IllegalArgumentException("WAV writer: 1 or 2 channels, got " + c);
        for (float[] ch : channels) if (ch.length != n) throw new IllegalArgumentException("WAV writer: channels differ in length");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + n * c * bytes);
        int fmtSize = extensible ? 40 : 16, data = n * c * bytes;
        ascii(out, "RIFF");
        le(out, 4 + 8 + fmtSize + 8 + data + (data & 1), 4);
        ascii(out, "WAVE");
        ascii(out, "fmt ");
        le(out, fmtSize, 4);
        le(out, extensible ? 0xFFFE : enc.tag, 2);
        le(out, c, 2);
        le(out, sampleRate, 4);
        le(out, sampleRate * c * bytes, 4);
        le(out, c * bytes, 2);
        le(out, enc.bits, 2);
        if (extensible) {
            le(out, 22, 2);                 // extension size
            le(out, enc.bits, 2);           // valid bits
            le(out, c == 1 ? 4 : 3, 4);     // channel mask: centre, or left + right
            le(out, enc.tag, 2);            // sub-format GUID xxxx0000-0000-0010-8000-00aa00389b71
            byte[] guid = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xaa, 0, 0x38, (byte) 0x9b, 0x71};
            out.write(guid, 0, guid.length);
        }
        ascii(out, "data");
        le(out, data, 4);
        for (int i = 0; i < n; i++) {
            for (float[] ch : channels) {
                double v = Math.max(-1, Math.min(1, ch[i]));
                switch (enc) {
                    case PCM8 -> le(out, (int) Math.round(Math.min(v * 128 + 128, 255)), 1);
                    case PCM16 -> le(out, (int) Math.round(Math.min(v * 32768, 32767)), 2);
                    case PCM24 -> le(out, (int) Math.round(Math.min(v * 8388608, 8388607)), 3);
                    case PCM32 -> le(out, (int) Math.round(Math.min(v * 2147483648.0, 2147483647.0)), 4);
                    case FLOAT32 -> le(out, Float.floatToIntBits(ch[i]), 4);
                }
            }
        }
        if ((data & 1) == 1) out.write(0); // pad byte
        return out.toByteArray();
    }

    /** Writes mono {@code samples} to {@code file} atomically. */
    public static void write(Path file, float[] samples, int sampleRate, Encoding enc) throws IOException {
        byte[] bytes = encode(new float[][] {samples}, sampleRate, enc, false);
        AtomicFiles.writeBytes(file, bytes);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        for (char ch : s.toCharArray()) out.write(ch);
    }

    private static void le(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }
}
