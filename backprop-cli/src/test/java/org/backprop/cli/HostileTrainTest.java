package org.backprop.cli;

import static org.backprop.cli.HostileCliTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17 for {@code train}: refusals before training, resumes that must match, folders a run owns. */
class HostileTrainTest {
    @TempDir
    Path dir;

    private Path csv(String name, int rows, int classes, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < rows; i++) {
            sb.append(r.nextFloat()).append(',').append(r.nextFloat()).append(',').append(r.nextFloat()).append(',')
                    .append(i % classes).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    private static CliRunner train(Path data, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--target", "label", "--task",
                "classification", "--layers", "8", "--progress", "none"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void silentAcceptsAreRefused() throws IOException {
        Path data = csv("d.csv", 40, 2, 1);
        assertOneLineError(train(data, "--patience", "-5"), "--patience must be 0 (off) or more, got -5");
        assertOneLineError(train(csv("one.csv", 40, 1, 1)), "only class 0");
        // A stray large label once meant an output layer 16,777,217 wide; labels are now names mapped to
        // 0..K-1, so it is one class of two.
        StringBuilder rows = new StringBuilder("a,label\n");
        for (int i = 0; i < 40; i++) rows.append(i).append(',').append(i % 2 == 0 ? 0 : 16777216).append('\n');
        CliRunner huge = train(Files.writeString(dir.resolve("huge.csv"), rows.toString()), "--epochs", "1");
        assertEquals(0, huge.exitCode(), huge.err());
        assertTrue(huge.out().contains("into 2 classes"), huge.out());
    }

    @Test
    void aRunawayLearningRateStopsWithADiagnosisAndNoModel() throws IOException {
        // Adam at lr 1e6 keeps every weight finite (about 1e6 each) and once ended at chance accuracy with exit 0
        Path out = dir.resolve("runaway");
        CliRunner r = train(csv("d.csv", 64, 2, 1), "--lr", "1e6", "--epochs", "30", "--out", out.toString());
        assertOneLineError(r, "the updates are running away");
        assertTrue(r.err().contains("lower learning rate (now 1000000.0)"), r.err());
        assertFalse(Files.exists(out.resolve("model.safetensors")), "a runaway model was saved");
    }

    @Test
    void anUnusableOutIsFoundBeforeTraining() throws IOException {
        Path data = csv("d.csv", 40, 2, 1);
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        CliRunner r = train(data, "--epochs", "1", "--out", file.resolve("sub").toString());
        assertOneLineError(r, "plain.txt");
        assertFalse(r.out().contains("Stopped"), "trained before finding --out unusable: " + r.out());
        assertOneLineError(train(data, "--epochs", "1", "--out", file.toString()), "is a file, not a folder");
    }

    @Test
    void aFolderHoldingARunIsNotOverwrittenSilentlyNorShared() throws IOException {
        Path data = csv("d.csv", 40, 2, 1);
        Path out = dir.resolve("run");
        assertEquals(0, train(data, "--epochs", "1", "--out", out.toString()).exitCode());
        byte[] first = Files.readAllBytes(out.resolve("model.safetensors"));
        CliRunner again = train(data, "--epochs", "2", "--out", out.toString());
        assertOneLineError(again, "--overwrite");
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(out.resolve("model.safetensors"))));
        assertEquals(0, train(data, "--epochs", "2", "--out", out.toString(), "--overwrite").exitCode());

        try (FileChannel ch = FileChannel.open(out.resolve(TrainOutput.LOCK_FILE), StandardOpenOption.WRITE);
             FileLock held = ch.lock()) { // another run owns the folder
            assertOneLineError(train(data, "--epochs", "1", "--out", out.toString(), "--overwrite"), "in use by another");
        }
    }

    @Test
    void twoRunsWithTheSameSeedWriteTheSameModelBytes() throws IOException {
        Path data = csv("d.csv", 40, 2, 1);
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, train(data, "--epochs", "2", "--out", a.toString()).exitCode());
        assertEquals(0, train(data, "--epochs", "2", "--out", b.toString()).exitCode());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.resolve("model.safetensors")),
                Files.readAllBytes(b.resolve("model.safetensors"))), "model files differ");
        var keys = List.copyOf(org.backprop.io.SafeTensors.readHeader(a.resolve("model.safetensors")).metadata().keySet());
        assertEquals(keys.stream().sorted().toList(), keys, "metadata is not in key order, so Map.of order could leak in");
    }

    @Test
    void aResumeWithAnotherSettingOrOtherDataIsRefusedByName() throws IOException {
        Path data = csv("d.csv", 60, 2, 1);
        Path out = dir.resolve("ck");
        CliRunner first = train(data, "--epochs", "1", "--checkpoint-every", "1", "--out", out.toString());
        assertEquals(0, first.exitCode(), first.err());
        String ck = out.resolve("checkpoint.safetensors").toString();
        assertOneLineError(train(data, "--epochs", "2", "--out", out.toString(), "--resume", ck, "--activation", "tanh"),
                "--activation was 'relu'");
        assertOneLineError(train(data, "--epochs", "2", "--out", out.toString(), "--resume", ck, "--test-fraction", "0.3"),
                "--test-fraction was '0.2'");
        assertOneLineError(train(data, "--epochs", "2", "--out", out.toString(), "--resume", ck, "--weight-decay", "0.1"),
                "--weight-decay was");
        assertOneLineError(train(data, "--epochs", "2", "--out", out.toString(), "--resume", ck, "--clip-norm", "1"),
                "--clip-norm was");
        assertOneLineError(train(csv("other.csv", 60, 2, 2), "--epochs", "2", "--out", out.toString(), "--resume", ck),
                "data fingerprint was");
        CliRunner same = train(data, "--epochs", "2", "--out", out.toString(), "--resume", ck);
        assertEquals(0, same.exitCode(), same.err());
    }
}
