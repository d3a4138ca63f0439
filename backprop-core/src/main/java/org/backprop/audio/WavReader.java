package org.backprop.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads RIFF/WAVE files: PCM integers of 8 (unsigned), 16, 24 and 32 bits and IEEE 32-bit floats
 * (format tags 1 and 3, or either inside {@code WAVE_FORMAT_EXTENSIBLE}), mono or stereo (the two
 * channels are averaged). Integers are scaled to [-1, 1) by 2^(bits-1), so 16-bit samples come out
 * as {@code s / 32768}, as in the peer benchmark.
 *
 * <p>Our own parser rather than {@code javax.sound.sampled}: every size in a header is checked
 * against the bytes really present before anything is read or allocated, so a hostile or
 * truncated header gives a one-line {@link AudioFormatException} naming the file, never a huge
 * allocation or a hang, and the decoder never depends on which formats a JDK's providers accept.
 */
public final class WavReader {
    /** Files larger than this are refused before reading: a recording for a digit is a few kilobytes. */
    public static final long MAX_FILE_BYTES = 1L << 30;

    private static final int PCM = 1, FLOAT = 3, EXTENSIBLE = 0xFFFE;

    private WavReader() {}

    /** Reads {@code file}; the size bound comes from the file system, not from the header. */
    public static Audio read(Path file) throws IOException {
        String name = file.toString();
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new AudioFormatException(name, "no such file");
        }
        if (!Files.isRegularFile(file)) throw new AudioFormatException(name, "not a regular file");
        if (size > MAX_FILE_BYTES) {
            throw new AudioFormatException(name, "the file is " + size + " bytes, more than the "
                    + MAX_FILE_BYTES + " a recording may have here");
        }
        return parse(Files.readAllBytes(file), name);
    }

    /**
     * Parses the bytes of a whole WAV file.
     *
     * @param source the file's name, for messages
     */
    public static Audio parse(byte[] b, String source) throws AudioFormatException {
        if (b.length == 0) throw new AudioFormatException(source, "the file is empty, not a WAV file");
        if (b.length < 12) throw new AudioFormatException(source, "not a WAV file: " + b.length + " bytes, too short for a RIFF header");
        String riff = fourcc(b, 0);
        if (riff.equals("RIFX") || riff.equals("RF64")) {
            throw new AudioFormatException(source, riff + " WAV files are not supported (only little-endian RIFF)");
        }
        if (!riff.equals("RIFF") || !fourcc(b, 8).equals("WAVE")) {
            throw new AudioFormatException(source, "not a WAV file: it does not start with RIFF....WAVE");
        }
        Fmt fmt = null;
        int pos = 12;
        while (pos + 8 <= b.length) {
            String id = fourcc(b, pos);
            long chunk = u32(b, pos + 4);
            int body = pos + 8;
            long left = b.length - (long) body;
            if (chunk > left) {
                throw new AudioFormatException(source, "chunk '" + printable(id) + "' at byte " + pos + " claims "
                        + chunk + " bytes but only " + left + " remain: the file is truncated or damaged");
            }
            if (id.equals("fmt ")) {
                fmt = fmt(b, body, (int) chunk, source);
            } else if (id.equals("data")) {
                if (fmt == null) throw new AudioFormatException(source, "the data chunk comes before the 'fmt ' chunk");
                return decode(b, body, (int) chunk, fmt, source);
            }
            pos = body + (int) chunk + (int) (chunk & 1); // chunks are padded to an even length
        }
        throw new AudioFormatException(source, fmt == null ? "no 'fmt ' chunk: not a WAV file Backprop can read"
                : "no 'data' chunk: the file holds no audio");
    }

    private record Fmt(int tag, int channels, int rate, int bits) {
        String describe() {
            String kind = tag == FLOAT ? "float " + bits + "-bit" : "PCM " + bits + "-bit";
            return kind + " " + (channels == 1 ? "mono" : "stereo") + " " + rate + " Hz";
        }
    }

    private static Fmt fmt(byte[] b, int at, int size, String source) throws AudioFormatException {
        if (size < 16) throw new AudioFormatException(source, "the 'fmt ' chunk has " + size + " bytes, fewer than 16");
        int tag = u16(b, at), channels = u16(b, at + 2), blockAlign = u16(b, at + 12), bits = u16(b, at + 14);
        long rate = u32(b, at + 4);
        if (tag == EXTENSIBLE) {
            if (size < 40) throw new AudioFormatException(source, "WAVE_FORMAT_EXTENSIBLE with a 'fmt ' chunk of " + size + " bytes, fewer than 40");
            tag = u16(b, at + 24); // the first two bytes of the sub-format GUID are the plain format tag
        }
        if (tag != PCM && tag != FLOAT) {
            throw new AudioFormatException(source, "audio format " + tag + " is not supported (only PCM = 1 and IEEE float = 3;"
                    + " compressed WAVs such as ADPCM or mu-law must be converted first)");
        }
        if (channels != 1 && channels != 2) {
            throw new AudioFormatException(source, channels + " channels; only mono and stereo are supported");
        }
        boolean ok = tag == FLOAT ? bits == 32 : bits == 8 || bits == 16 || bits == 24 || bits == 32;
        if (!ok) {
            throw new AudioFormatException(source, (tag == FLOAT ? "float" : "PCM") + " samples of " + bits
                    + " bits are not supported (PCM 8, 16, 24 or 32 bits, float 32 bits)");
        }
        if (rate < 1 || rate > 1_000_000) throw new AudioFormatException(source, "sample rate " + rate + " Hz is not plausible");
        if (blockAlign != channels * bits / 8) {
            throw new AudioFormatException(source, "block align " + blockAlign + " does not match " + channels
                    + " channels of " + bits + " bits");
        }
        return new Fmt(tag, channels, (int) rate, bits);
    }

    /** Decodes whole frames (a trailing partial frame is dropped) and averages the channels. */
    private static Audio decode(byte[] b, int at, int size, Fmt f, String source) throws AudioFormatException {
        int bytes = f.bits / 8, frame = bytes * f.channels, n = size / frame;
        if (n == 0) throw new AudioFormatException(source, "the data chunk holds no samples (zero-length audio)");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < f.channels; c++) {
                int p = at + i * frame + c * bytes;
                double v = switch (f.bits) {
                    case 8 -> ((b[p] & 0xff) - 128) / 128.0;
                    case 16 -> (short) u16(b, p) / 32768.0;
                    case 24 -> (((b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | b[p + 2] << 16)) / 8388608.0;
                    default -> f.tag == FLOAT ? Float.intBitsToFloat(s32(b, p)) : s32(b, p) / 2147483648.0;
                };
                if (!Double.isFinite(v)) {
                    throw new AudioFormatException(source, "sample " + i + " is " + v + "; audio must be finite");
                }
                sum += v;
            }
            out[i] = (float) (sum / f.channels);
        }
        return new Audio(out, f.rate, f.describe());
    }

    private static String fourcc(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String printable(String id) {
        StringBuilder s = new StringBuilder();
        for (char c : id.toCharArray()) s.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format(Locale.ROOT, "\\x%02x", (int) c));
        return s.toString();
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int s32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | b[at + 3] << 24;
    }

    private static long u32(byte[] b, int at) {
        return s32(b, at) & 0xffffffffL;
    }
}
