package org.backprop.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.backprop.audio.WavWriter.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WavReaderTest {
    @TempDir
    Path dir;

    private static float[] tone(int n, double freq, int rate, double amp) {
        float[] x = new float[n];
        for (int t = 0; t < n; t++) x[t] = (float) (amp * Math.sin(2 * Math.PI * freq * t / rate));
        return x;
    }

    /** Quantisation step of each encoding (float: exact). */
    private static double step(Encoding e) {
        return switch (e) {
            case PCM8 -> 1 / 128.0;
            case PCM16 -> 1 / 32768.0;
            case PCM24 -> 1 / 8388608.0;
            case PCM32 -> 1 / 2147483648.0;
            case FLOAT32 -> 0;
        };
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void readsEveryEncodingMonoStereoAndExtensible(Encoding enc) throws Exception {
        float[] left = tone(801, 440, 8000, 0.7), right = tone(801, 1000, 8000, -0.4);
        for (boolean extensible : new boolean[] {false, true}) {
            Path mono = dir.resolve(enc + "-" + extensible + "-mono.wav");
            Files.write(mono, WavWriter.encode(new float[][] {left}, 8000, enc, extensible));
            Audio a = WavReader.read(mono);
            assertEquals(8000, a.sampleRate());
            assertEquals(801, a.samples().length);
            for (int t = 0; t < left.length; t++) assertEquals(left[t], a.samples()[t], step(enc) / 2 + 1e-7, enc + " sample " + t);

            Path stereo = dir.resolve(enc + "-" + extensible + "-stereo.wav");
            Files.write(stereo, WavWriter.encode(new float[][] {left, right}, 22050, enc, extensible));
            Audio s = WavReader.read(stereo);
            assertEquals(22050, s.sampleRate());
            assertTrue(s.format().contains("stereo"), s.format());
            for (int t = 0; t < left.length; t++) {
                assertEquals((left[t] + right[t]) / 2, s.samples()[t], step(enc) / 2 + 1e-7, enc + " stereo sample " + t);
            }
        }
    }

    /** The JDK's own reader decodes the PCM files to the same integers: the writer and reader agree with a third party. */
    @ParameterizedTest
    @EnumSource(value = Encoding.class, names = {"PCM8", "PCM16", "PCM24", "PCM32"})
    void agreesWithJavaSound(Encoding enc) throws Exception {
        byte[] wav = WavWriter.encode(new float[][] {tone(300, 300, 8000, 0.9)}, 8000, enc, false);
        Audio ours = WavReader.parse(wav, "x.wav");
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            AudioFormat f = in.getFormat();
            assertEquals(enc == Encoding.PCM8 ? AudioFormat.Encoding.PCM_UNSIGNED : AudioFormat.Encoding.PCM_SIGNED, f.getEncoding());
            assertFalse(f.isBigEndian());
            byte[] raw = in.readAllBytes();
            int bytes = f.getSampleSizeInBits() / 8;
            assertEquals(300 * bytes, raw.length);
            for (int t = 0; t < 300; t++) {
                long v = 0;
                for (int i = bytes - 1; i >= 0; i--) v = v << 8 | (raw[t * bytes + i] & 0xff);
                double want = switch (enc) {
                    case PCM8 -> (v - 128) / 128.0;
                    case PCM16 -> (short) v / 32768.0;
                    case PCM24 -> ((int) (v << 8) >> 8) / 8388608.0;
                    default -> (int) v / 2147483648.0;
                };
                assertEquals((float) want, ours.samples()[t], 0f, enc + " sample " + t);
            }
        }
    }

    /** A hand-built 16-bit file: the exact bytes the FSDD recordings use, and an odd chunk before the data. */
    @Test
    void readsHandBuiltSixteenBitFileWithExtraChunk() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(12 + 24 + 10 + 8 + 6).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
                .putShort((short) 2).putShort((short) 16);
        b.put("LIST".getBytes()).putInt(1).put((byte) 'x').put((byte) 0); // odd chunk and its pad byte
        b.put("data".getBytes()).putInt(6).putShort((short) -32768).putShort((short) 16384).putShort((short) 32767);
        Audio a = WavReader.parse(b.array(), "hand.wav");
        assertArrayEquals(new float[] {-1f, 0.5f, 32767 / 32768f}, a.samples());
        assertEquals("PCM 16-bit mono 8000 Hz", a.format());
    }

    private static void assertRefused(byte[] bytes, String expected) {
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.parse(bytes, "bad.wav"));
        assertTrue(e.getMessage().startsWith("bad.wav: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static byte[] good() {
        return WavWriter.encode(new float[][] {tone(100, 440, 8000, 0.5)}, 8000, Encoding.PCM16, false);
    }

    private static byte[] patchInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    private static byte[] patchShort(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return c;
    }

    @Test
    void hostileFilesGiveOneLineErrorsNamingTheFile() {
        assertRefused(new byte[0], "empty");
        assertRefused("RIFF".getBytes(), "too short");
        assertRefused("this is a text file, not audio at all".getBytes(), "not a WAV file");
        byte[] ok = good();
        // Header offsets: fmt chunk at 12, its body at 20 (tag 20, channels 22, rate 24, align 32, bits 34), data at 36.
        assertRefused(patchInt(ok, 40, Integer.MAX_VALUE), "claims 2147483647 bytes but only 200 remain");
        assertRefused(patchInt(ok, 40, -1), "claims 4294967295 bytes");
        assertRefused(patchInt(ok, 16, 0x7ffffff0), "chunk 'fmt ' at byte 12 claims");
        assertRefused(patchInt(ok, 40, 0), "zero-length audio");
        assertRefused(patchInt(ok, 40, 1), "zero-length audio");
        assertRefused(patchShort(ok, 20, 2), "audio format 2 is not supported");
        assertRefused(patchShort(ok, 22, 6), "6 channels");
        assertRefused(patchShort(ok, 34, 12), "12 bits are not supported");
        assertRefused(patchInt(ok, 24, 0), "sample rate 0 Hz");
        assertRefused(patchShort(ok, 32, 7), "block align 7");
        assertRefused(Arrays.copyOf(ok, 36), "no 'data' chunk");
        assertRefused(patchInt(ok, 12, 0x61746164 /* "data" */), "before the 'fmt ' chunk");
        assertRefused(patchInt(ok, 0, 0x58464952 /* "RIFX" */), "RIFX");
        byte[] nan = WavWriter.encode(new float[][] {{0.1f, Float.NaN}}, 8000, Encoding.FLOAT32, false);
        assertRefused(nan, "sample 1 is NaN");
    }

    /** Every truncation of a valid file is refused quickly or read as its whole frames; none hangs. */
    @Test
    void everyTruncationFailsCleanly() {
        byte[] ok = good();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int len = 0; len < ok.length; len++) {
                byte[] cut = Arrays.copyOf(ok, len);
                assertThrows(AudioFormatException.class, () -> WavReader.parse(cut, "cut.wav"), "length " + len);
            }
        });
    }

    @Test
    void filesOnDiskAreNamedInErrors() throws Exception {
        Path missing = dir.resolve("nope.wav");
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(missing));
        assertEquals(missing + ": cannot read as WAV: no such file", e.getMessage());
        Path empty = Files.write(dir.resolve("empty.wav"), new byte[0]);
        e = assertThrows(AudioFormatException.class, () -> WavReader.read(empty));
        assertTrue(e.getMessage().startsWith(empty + ": "), e.getMessage());
        e = assertThrows(AudioFormatException.class, () -> WavReader.read(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
