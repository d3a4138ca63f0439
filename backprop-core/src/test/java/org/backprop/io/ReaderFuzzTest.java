package org.backprop.io;

import org.backprop.guard.InputLimits;
import org.backprop.guard.Untrusted;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.CsvFormat;
import org.backprop.data.CsvTable;
import org.backprop.data.Idx;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.train.Checkpoint;
import org.backprop.train.FitConfig;
import org.backprop.train.Task;
import org.backprop.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutation fuzzer for the CSV, IDX, safetensors/model-file and checkpoint readers
 * (issue 17): valid files are mutated (bit flips, byte runs, extreme integers, cuts, splices,
 * long digit runs) and each reader must return a result or throw its clear one-line error
 * ({@link IOException} or {@link IllegalArgumentException}), each within a time bound, with the
 * input limit set low so that any unbounded allocation shows as a failure rather than a slow
 * run. Each reader is fuzzed for {@value #MILLIS_PER_READER} ms; the seed makes a failure
 * repeatable ({@code -Dfuzz.seed=N}).
 */
class ReaderFuzzTest {
    private static final long MILLIS_PER_READER = 1000;
    private static final long MILLIS_PER_INPUT = 2000;
    private static final long SEED = Long.getLong("fuzz.seed", 17);

    @TempDir
    static Path dir;
    private static byte[] csv, idx, model, checkpoint;

    @BeforeAll
    static void seeds() throws IOException {
        csv = "x1, x2,\"x 3\",label\n1.5,-2,3e2,0\n.5,+4.,\"7\",1\n\n0,0,0,2\n".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + 2 * 4 * 4).putInt(Idx.IMAGES).putInt(2).putInt(4).putInt(4);
        for (int i = 0; i < 32; i++) b.put((byte) (i * 8));
        idx = b.array();
        Sequential net = new Sequential(new Linear(3, 4, new Random(1)), new Activation.ReLU(), new Linear(4, 2, new Random(2)));
        Path m = dir.resolve("seed-model.safetensors");
        ModelFile.save(m, net, Preprocessing.none(), java.util.Map.of("dataset", "seed"));
        model = Files.readAllBytes(m);
        Path c = dir.resolve("seed-checkpoint.safetensors");
        Sequential small = new Sequential(new Linear(64, 3, new Random(1)), new Activation.ReLU(), new Linear(3, 10, new Random(2)));
        new Trainer(small, new org.backprop.loss.CrossEntropyLoss(), new Adam(small.parameters(), 1e-3)).checkpoint(c, 1)
                .fit(BuiltinDatasets.digits().split(0.9, 1).test(), FitConfig.of(Task.CLASSIFICATION).withEpochs(1).withBatchSize(64));
        checkpoint = Files.readAllBytes(c);
    }

    @FunctionalInterface
    private interface Reader {
        void read(byte[] input, Path file) throws Exception;
    }

    @Test
    void csv() throws Exception {
        fuzz("csv", csv, (in, f) -> CsvTable.read(new StringReader(new String(in, StandardCharsets.UTF_8)), "fuzz.csv",
                CsvFormat.DEFAULT).toRegression("label", java.util.List.of()));
    }

    @Test
    void idx() throws Exception {
        fuzz("idx", idx, (in, f) -> Idx.parse(in, "fuzz.idx", Idx.IMAGES));
    }

    @Test
    void modelFile() throws Exception {
        fuzz("model", model, (in, f) -> {
            Files.write(f, in);
            ModelFile.describe(f);
            ModelFile.load(f);
        });
    }

    @Test
    void checkpoint() throws Exception {
        fuzz("checkpoint", checkpoint, (in, f) -> {
            Files.write(f, in);
            Checkpoint.load(f);
        });
    }

    private static void fuzz(String name, byte[] seed, Reader reader) throws Exception {
        Path file = dir.resolve("fuzz-" + name);
        Random rng = new Random(SEED ^ name.hashCode());
        long end = System.nanoTime() + MILLIS_PER_READER * 1_000_000;
        int runs = 0, accepted = 0;
        String old = System.getProperty(InputLimits.MAX_BYTES_PROPERTY);
        System.setProperty(InputLimits.MAX_BYTES_PROPERTY, "16m");
        try {
            while (System.nanoTime() < end) {
                byte[] input = mutate(seed, rng);
                long t0 = System.nanoTime();
                try {
                    reader.read(input, file);
                    accepted++;
                } catch (IOException | IllegalArgumentException e) {
                    String m = e.getMessage();
                    if (m == null || m.isBlank() || m.length() > 1000 || m.chars().anyMatch(ch -> ch < 0x20)) {
                        fail(name + " run " + runs + ": unclear error " + e + " for input " + show(input));
                    }
                } catch (Throwable t) {
                    fail(name + " run " + runs + " (seed " + SEED + "): " + t + " for input " + show(input), t);
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > MILLIS_PER_INPUT) fail(name + " run " + runs + ": took " + ms + " ms for input " + show(input));
                runs++;
            }
        } finally {
            if (old == null) System.clearProperty(InputLimits.MAX_BYTES_PROPERTY);
            else System.setProperty(InputLimits.MAX_BYTES_PROPERTY, old);
        }
        assertTrue(runs > 20, name + ": only " + runs + " runs");
        System.out.printf("fuzz %s: %d inputs, %d read, %d refused%n", name, runs, accepted, runs - accepted);
    }

    /** One to four random edits of the seed. */
    static byte[] mutate(byte[] seed, Random rng) {
        byte[] b = seed.clone();
        int edits = 1 + rng.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : rng.nextInt(b.length);
            switch (rng.nextInt(8)) {
                case 0 -> { if (b.length > 0) b[at] ^= (byte) (1 << rng.nextInt(8)); }
                case 1 -> { if (b.length > 0) b[at] = (byte) rng.nextInt(256); }
                case 2 -> { // an extreme 32- or 64-bit integer, either byte order
                    long[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, 1L << 31, 1L << 32, 46340};
                    long v = extremes[rng.nextInt(extremes.length)];
                    int width = rng.nextBoolean() ? 4 : 8;
                    for (int i = 0; i < width && at + i < b.length; i++) {
                        int shift = rng.nextBoolean() ? 8 * i : 8 * (width - 1 - i);
                        b[at + i] = (byte) (v >>> shift);
                    }
                }
                case 3 -> b = Arrays.copyOf(b, at); // cut
                case 4 -> { // insert a run of one byte (digits, quotes, NULs, ESC)
                    byte[] run = new byte[1 + rng.nextInt(rng.nextBoolean() ? 16 : 5000)];
                    byte[] choices = {'1', '"', ',', '\n', 0, 0x1b, '{', (byte) 0xff};
                    Arrays.fill(run, choices[rng.nextInt(choices.length)]);
                    b = splice(b, at, run);
                }
                case 5 -> { // duplicate a chunk
                    int len = b.length - at == 0 ? 0 : rng.nextInt(Math.min(64, b.length - at) + 1);
                    b = splice(b, at, Arrays.copyOfRange(b, at, at + len));
                }
                case 6 -> { // delete a chunk
                    int len = b.length - at == 0 ? 0 : rng.nextInt(Math.min(32, b.length - at) + 1);
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                default -> { // a decimal digit in a JSON or CSV number made huge or negative
                    if (b.length > 0 && b[at] >= '0' && b[at] <= '9') b = splice(b, at, "-99999999999".getBytes());
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    private static String show(byte[] input) {
        return input.length + " bytes, starting " + Untrusted.quote(new String(input, 0, Math.min(200, input.length),
                StandardCharsets.ISO_8859_1));
    }
}
