package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.backprop.audio.WavWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train, predict, evaluate and info on spoken digits, end to end, on a small synthetic stand-in
 * for the FSDD folder (each digit a tone of its own pitch, two speakers), so no data set is needed.
 */
class SpeechCommandsTest {
    @TempDir
    Path dir;

    private static float[] tone(int digit, int index, int rate) {
        float[] x = new float[rate / 4 + 37 * index];
        for (int t = 0; t < x.length; t++) x[t] = (float) (0.4 * Math.sin(2 * Math.PI * (250 + 300 * digit) * t / rate));
        return x;
    }

    private Path fakeFsdd() throws IOException {
        Path rec = Files.createDirectories(dir.resolve("data/recordings"));
        for (String speaker : List.of("jackson", "theo")) {
            for (int d = 0; d < 10; d++) {
                for (int i = 0; i < 10; i++) {
                    WavWriter.write(rec.resolve(d + "_" + speaker + "_" + i + ".wav"), tone(d, i, 8000), 8000, WavWriter.Encoding.PCM16);
                }
            }
        }
        return rec.getParent();
    }

    @Test
    void trainPredictEvaluateAndInfoOnSpokenDigits() throws IOException {
        Path data = fakeFsdd(), out = dir.resolve("run");
        CliRunner r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--model", "cnn", "--epochs", "1",
                "--out", out.toString(), "--report", "--progress", "none");
        assertEquals(0, r.exitCode(), r.err());
        String text = r.out();
        assertTrue(text.contains("Data: fsdd, 200 samples, 4000 features → classification into 10 classes (100 train, 100 test)"), text);
        assertTrue(text.contains("Recipe for --model cnn on fsdd: batch 64, cosine schedule, no validation split, shift augmentation"), text);
        assertTrue(text.contains("Test accuracy: "), text);
        assertTrue(text.contains("Confusion matrix (rows: true digit, columns: predicted):"), text);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Log-mel spectrogram of 0_jackson_0.wav (digit 0"), "the report shows spectrograms");

        // A WAV at another rate and in another encoding: resampled and read the same way.
        Path wav = dir.resolve("seven.wav");
        WavWriter.write(wav, tone(7, 3, 44100), 44100, WavWriter.Encoding.FLOAT32);
        r = CliRunner.run("predict", "--model", out.toString(), "--input", wav.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("file,predicted_class,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9", lines.get(0));
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).startsWith(wav + ","), lines.get(1));
        double sum = 0;
        String[] f = lines.get(1).split(",");
        for (int c = 2; c < 12; c++) sum += Double.parseDouble(f[c]);
        assertEquals(1, sum, 1e-4, "probabilities add up to 1");

        r = CliRunner.run("predict", "--model", out.toString(), "--input", data.resolve("recordings").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(201, r.out().lines().count(), "a header and one row a recording of the folder");

        r = CliRunner.run("evaluate", "--model", out.toString(), "--data", "fsdd", "--data-dir", data.toString(), "--split", "test");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Data: fsdd, the test part of the official split, 100 recordings"), r.out());
        assertTrue(r.out().contains("Accuracy: "), r.out());

        r = CliRunner.run("info", "--model", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Audio features (predict takes WAV files):"), r.out());
        assertTrue(r.out().contains("40 HTK-mel filters 0–4000 Hz, log(x + 1.0E-6)"), r.out());
        assertTrue(r.out().contains("network input: [1, 40, 100] per recording"), r.out());
    }

    /** The number after {@code label} on the first line that has it. */
    private static String after(String text, String label) {
        String line = text.lines().filter(l -> l.startsWith(label)).findFirst().orElseThrow(() -> new AssertionError(label + " in " + text));
        return line.substring(label.length()).split(" ")[0];
    }

    @Test
    void aGruSpeechModelIsSavedLoadedPredictedEvaluatedAndDescribed() throws IOException {
        Path data = fakeFsdd(), out = dir.resolve("gru");
        CliRunner r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--model", "gru", "--epochs", "1",
                "--out", out.toString(), "--plots", "--progress", "none");
        assertEquals(0, r.exitCode(), r.err());
        String text = r.out();
        assertTrue(text.contains("Model: fsdd GRU (2 layers of 64 over 100 frames of 40 mel bands, last state → 10), 45,962 parameters"), text);
        assertTrue(text.contains("Recipe for --model gru on fsdd: batch 64, cosine schedule, no validation split (options"), text);
        assertFalse(text.contains("Augmentation:"), "no augmentation in the GRU recipe: " + text);
        assertTrue(text.contains("spectrogram-0.png"), text);
        assertTrue(javax.imageio.ImageIO.read(out.resolve("spectrogram-0.png").toFile()).getWidth() > 100,
                "--plots writes the spectrogram pictures as PNG files");

        // The saved model (GRU, LastStep, Linear) gives the accuracy it was trained to.
        r = CliRunner.run("evaluate", "--model", out.toString(), "--data", "fsdd", "--data-dir", data.toString(), "--split", "test");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(after(text, "Test accuracy: "), after(r.out(), "Accuracy: "), r.out());

        Path wav = dir.resolve("three.wav");
        WavWriter.write(wav, tone(3, 2, 16000), 16000, WavWriter.Encoding.PCM24);
        r = CliRunner.run("predict", "--model", out.toString(), "--input", wav.toString());
        assertEquals(0, r.exitCode(), r.err());
        String[] f = r.out().lines().toList().get(1).split(",");
        double sum = 0;
        for (int c = 2; c < 12; c++) sum += Double.parseDouble(f[c]);
        assertEquals(1, sum, 1e-4, "probabilities add up to 1");

        r = CliRunner.run("info", "--model", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("network input: [100, 40] per recording (frames, bands)"), r.out());
        assertTrue(r.out().contains("LastStep()"), r.out());

        r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--model", "gru", "--augment", "shift");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--augment shift: shift moves images; --model gru reads sequences of frames"), r.err());
        r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--augment", "shift,warp");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--augment for --data fsdd takes auto, none, or a list of shift, shift=N and mask; not 'warp'"), r.err());
        r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--model", "lstm");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--data fsdd trains --model cnn or gru (log-mel spectrograms), not 'lstm'"), r.err());
    }

    @Test
    void heldOutSpeakerAndBadInputs() throws IOException {
        Path data = fakeFsdd(), out = dir.resolve("held");
        CliRunner r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--model", "cnn", "--epochs", "1",
                "--split", "speaker=theo", "--out", out.toString(), "--progress", "none");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("(100 train, 100 test)"), r.out());
        assertTrue(r.out().contains("Held-out speaker theo: accuracy "), r.out());

        r = CliRunner.run("train", "--data", "fsdd", "--data-dir", data.toString(), "--split", "speaker=bob", "--epochs", "1");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--split speaker=bob: no such speaker; the speakers are jackson, theo"), r.err());

        Path broken = Files.write(dir.resolve("broken.wav"), "RIFF....WAVEjunk".getBytes());
        r = CliRunner.run("predict", "--model", out.toString(), "--input", broken.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(broken + ": cannot read as WAV: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

        r = CliRunner.run("train", "--data", "fsdd", "--data-dir", dir.resolve("nowhere").toString(), "--epochs", "1");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("Free Spoken Digit Dataset was not found") || r.err().contains("fsdd"), r.err());
    }
}
