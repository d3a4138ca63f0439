package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.data.Idx;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.LinearSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17 through the command line: one clear line for hostile input, no trace, no hang. */
class HostileCliTest {
    @TempDir
    Path dir;

    /** The error is one line starting with "backprop: ", holding {@code expected}, with exit code 1. */
    static void assertOneLineError(CliRunner r, String expected) {
        assertEquals(1, r.exitCode(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("backprop: ") && !err.contains("\n"), err);
        assertTrue(err.contains(expected), err);
        assertTrue(err.chars().noneMatch(c -> c < 0x20), err);
    }

    @Test
    void infoReadsOnlyTheHeaderOfAHugeSparseF16Model() throws IOException {
        String arch = new ArchitectureSpec(List.of(new LinearSpec(46340, 46340, false))).toJson();
        long bytes = 46340L * 46340 * 2;
        String json = "{\"__metadata__\":{\"" + ModelFile.ARCHITECTURE_KEY + "\":" + quoteJson(arch)
                + "},\"0.weight\":{\"dtype\":\"F16\",\"shape\":[46340,46340],\"data_offsets\":[0," + bytes + "]}}";
        Path file = dir.resolve("huge.safetensors");
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            f.write(header);
            f.setLength(8 + header.length + bytes); // 4.3 GB that take no disk
        }
        CliRunner r = CliRunner.run("info", "--model", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("2,147,395,600"), r.out());
        assertOneLineError(CliRunner.run("evaluate", "--model", file.toString(), "--data", "housing"),
                "over the input limit");
    }

    @Test
    void infoEscapesMetadataFromTheFile() throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFile.save(file, new Sequential(new Linear(3, 2, new Random(1))), Preprocessing.none(),
                Map.of("note", "\u001b]0;owned\u0007" + "z".repeat(10_000)));
        CliRunner r = CliRunner.run("info", "--model", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertFalse(r.out().contains("\u001b"), "an escape sequence reached the terminal");
        assertTrue(r.out().contains("note: \\u001b]0;owned\\u0007zz"), r.out());
        assertTrue(r.out().length() < 5000, "a 10 KB metadata value was printed whole");
    }

    @Test
    void aDescribedNetworkTooLargeForMemoryIsOneLine() {
        CliRunner info = CliRunner.run("info", "--layers", "40000", "--inputs", "40000", "--outputs", "2");
        assertEquals(0, info.exitCode(), info.err()); // no weights needed to describe it
        assertTrue(info.out().contains("1,600,120,002"), info.out());
        assertOneLineError(CliRunner.run("gradcheck", "--layers", "40000", "--inputs", "40000", "--outputs", "2"),
                "parameters");
        assertOneLineError(CliRunner.run("gradcheck", "--layers", "4", "--inputs", "3", "--outputs", "1", "--samples",
                "150000000"), "--samples 150000000");
    }

    @Test
    void gradcheckOnANetworkWithoutALinearOutputSaysSo() throws IOException {
        Path file = dir.resolve("conv.safetensors");
        ModelFile.save(file, new Sequential(new Conv2d(1, 2, 3, new Random(1)), new Flatten()), List.of(1, 4, 4),
                Preprocessing.none(), Map.of());
        assertOneLineError(CliRunner.run("gradcheck", "--model", file.toString()), "output size is unknown");
    }

    @Test
    void anOutOfMemoryErrorBecomesOneLineNamingTheHeapOption() {
        String line = UserErrors.outOfMemory(new OutOfMemoryError("Java heap space"), new String[] {"train", "--x"});
        assertTrue(line.contains("'backprop train'") && line.contains("BACKPROP_JAVA_OPTS=-Xmx") && !line.contains("\n"),
                line);
    }

    @Test
    void fileSystemErrorsSayWhatFailed() {
        assertEquals("/etc/x: permission denied",
                UserErrors.fileProblem(new java.nio.file.AccessDeniedException("/etc/x")));
        assertEquals("runs/a: Is a directory",
                UserErrors.fileProblem(new java.nio.file.FileSystemException("runs/a", null, "Is a directory")));
    }

    @Test
    void predictWritesThroughASymlinkAndRefusesAFifo() throws Exception {
        Path model = dir.resolve("img.safetensors");
        ModelFile.save(model, new Sequential(new Flatten(), new Linear(4, 2, new Random(1))), List.of(1, 2, 2), Preprocessing.none(),
                Map.of());
        ByteBuffer idx = ByteBuffer.allocate(16 + 12).putInt(Idx.IMAGES).putInt(3).putInt(2).putInt(2);
        Path images = Files.write(dir.resolve("imgs-idx3-ubyte"), idx.array());
        Path real = Files.writeString(dir.resolve("real.csv"), "old\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real.getFileName());
        CliRunner r = CliRunner.run("predict", "--model", model.toString(), "--data", images.toString(), "--output",
                link.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.readString(real).startsWith("image,"), Files.readString(real));

        Path fifo = dir.resolve("fifo.csv");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "no mkfifo");
        assertOneLineError(CliRunner.run("predict", "--model", model.toString(), "--data", images.toString(), "--output",
                fifo.toString()), "not a regular file");
        assertFalse(Files.isRegularFile(fifo), "the FIFO was replaced by a file");
    }

    @Test
    void aDataDirThatDoesNotExistIsRefusedNotSkipped() throws IOException {
        Path model = dir.resolve("img.safetensors");
        ModelFile.save(model, new Sequential(new Flatten(), new Linear(784, 10, new Random(1))), List.of(1, 28, 28),
                Preprocessing.none(), Map.of());
        assertOneLineError(CliRunner.run("predict", "--model", model.toString(), "--data", "fashion-mnist", "--data-dir",
                dir.resolve("nowhere").toString()), "--data-dir: " + dir.resolve("nowhere") + " does not exist");
    }

    @Test
    void aDirectoryGivenAsAFileIsNamed() {
        assertOneLineError(CliRunner.run("predict", "--model", dir.toString() + "/none.safetensors", "--input",
                dir.toString()), "none.safetensors");
        assertOneLineError(CliRunner.run("gradcheck", "--model", dir.toString()), "model.safetensors");
    }

    private static String quoteJson(String s) {
        return new com.google.gson.Gson().toJson(s);
    }
}
