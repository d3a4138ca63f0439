package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.audio.WavWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsddTest {
    @TempDir
    Path dir;

    /**
     * The shared copy of the data set: {@code -Dbackprop.fsdd=FILE}, else
     * {@code ../shared/data/fsdd.tar.gz} beside the repository (found by walking up to {@code mvnw}).
     */
    public static Path sharedArchive() {
        String property = System.getProperty("backprop.fsdd");
        if (property != null) return Path.of(property);
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("mvnw"))) return d.resolve("../shared/data/fsdd.tar.gz").normalize();
        }
        return Path.of("../shared/data/fsdd.tar.gz");
    }

    /** A folder of fake recordings: two speakers, digits 0–2, indices 0–6, tones of different pitch. */
    private Path fakeRecordings() throws IOException {
        Path rec = Files.createDirectories(dir.resolve("fake").resolve("recordings"));
        for (String speaker : List.of("jackson", "anna")) {
            for (int digit = 0; digit < 3; digit++) {
                for (int index = 0; index < 7; index++) {
                    float[] x = new float[2000 + 100 * index];
                    for (int t = 0; t < x.length; t++) x[t] = (float) (0.3 * Math.sin(2 * Math.PI * (300 + 400 * digit) * t / 8000));
                    WavWriter.write(rec.resolve(digit + "_" + speaker + "_" + index + ".wav"), x, 8000, WavWriter.Encoding.PCM16);
                }
            }
        }
        Files.writeString(rec.resolve("README.md"), "not a recording");
        return rec.getParent();
    }

    @Test
    void findsAFolderOfRecordingsAndSplitsIt() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Fsdd fsdd = Fsdd.load(List.of(empty, fakeRecordings()), dir.resolve("cache"), null);
        assertEquals(42, fsdd.recordings().size());
        assertEquals(List.of("anna", "jackson"), fsdd.speakers());
        Fsdd.Split official = fsdd.officialSplit();
        assertEquals(30, official.test().size());
        assertTrue(official.test().stream().allMatch(r -> r.index() < 5));
        assertTrue(official.train().stream().allMatch(r -> r.index() >= 5));
        Fsdd.Split held = fsdd.holdOutSpeaker("anna");
        assertEquals(21, held.test().size());
        assertTrue(held.test().stream().allMatch(r -> r.speaker().equals("anna")));
        assertTrue(held.train().stream().noneMatch(r -> r.speaker().equals("anna")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fsdd.holdOutSpeaker("bob"));
        assertEquals("--split speaker=bob: no such speaker; the speakers are anna, jackson", e.getMessage());

        SpokenDigits.Prepared p = SpokenDigits.prepare(official, LogMel.FSDD, AudioFeatures.Layout.IMAGE);
        assertEquals(List.of(12, 1, 40, 100), java.util.Arrays.stream(p.train().features().shape()).boxed().toList());
        assertEquals(30, p.test().size());
        // Standardised with the training statistics: each band of the training part has mean 0, variance 1.
        float[] v = p.train().features().toFloatArray();
        for (int b = 0; b < 40; b += 13) {
            double sum = 0, sq = 0;
            for (int i = 0; i < 12; i++) for (int t = 0; t < 100; t++) sum += v[i * 4000 + b * 100 + t];
            for (int i = 0; i < 12; i++) for (int t = 0; t < 100; t++) sq += Math.pow(v[i * 4000 + b * 100 + t] - sum / 1200, 2);
            assertEquals(0, sum / 1200, 1e-4, "band " + b);
            assertEquals(1, sq / 1200, 1e-3, "band " + b);
        }
    }

    @Test
    void offlineMessageSaysHowToGetIt() {
        IOException e = assertThrows(IOException.class, () -> Fsdd.load(List.of(dir), dir.resolve("cache"), null));
        assertTrue(e.getMessage().contains("was not found in [" + dir + "]"), e.getMessage());
        assertTrue(e.getMessage().contains(Fsdd.SOURCE), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void readsTheSharedArchiveInPlace() throws IOException {
        Path archive = sharedArchive();
        Assumptions.assumeTrue(Files.isRegularFile(archive), "the FSDD archive is not at " + archive + " (see docs: --data fsdd)");
        Fsdd fsdd = Fsdd.read(archive);
        assertEquals(3000, fsdd.recordings().size());
        assertEquals(List.of("george", "jackson", "lucas", "nicolas", "theo", "yweweler"), fsdd.speakers());
        Map<Integer, Long> perDigit = fsdd.recordings().stream().collect(Collectors.groupingBy(Fsdd.Recording::digit, Collectors.counting()));
        for (int d = 0; d < 10; d++) assertEquals(300L, perDigit.get(d), "digit " + d);
        assertEquals(300, fsdd.officialSplit().test().size());
        assertTrue(fsdd.recordings().stream().allMatch(r -> r.audio().sampleRate() == 8000 && r.audio().samples().length > 0));
    }
}
