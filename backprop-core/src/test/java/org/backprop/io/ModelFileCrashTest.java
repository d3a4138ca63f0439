package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real JVM (SIGKILL, no shutdown hooks) while it is in the middle of saving a large model
 * over an existing file, and checks that the file is still a complete earlier version: saving
 * never leaves a half-written model where a reader would take it. The killed writer's temporary
 * file stays beside it until the next save of the same file removes it.
 */
class ModelFileCrashTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard; the test normally takes a few seconds
    void modelFileSurvivesAKillDuringSave() throws Exception {
        Path file = dir.resolve("big.safetensors");
        AtomicInteger lastSaved = new AtomicInteger();
        StringBuffer output = new StringBuffer();
        Process child = startSaveLoop(file, lastSaved, output);
        long killedWhileTempBytes;
        try {
            // 1. a first complete save: the file exists and loads
            awaitTrue(() -> lastSaved.get() >= 1, 30_000, "the first save", child, output);
            int first = versionOf(file);
            assertTrue(first >= 1, "first version " + first);

            // 2. kill it while a later save is writing its temporary file
            killedWhileTempBytes = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (killedWhileTempBytes < 0) {
                if (System.nanoTime() > deadline) fail("never saw a temporary file being written; output: " + output);
                if (!child.isAlive()) fail("the save loop died by itself: " + output);
                for (Path temp : tempFiles(file)) {
                    long size = sizeOrMinusOne(temp);
                    if (size > 0) {
                        child.destroyForcibly();
                        killedWhileTempBytes = size;
                        break;
                    }
                }
                if (killedWhileTempBytes < 0) Thread.sleep(1); // the temporary file exists most of each cycle
            }
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child did not die");
        } finally {
            child.destroyForcibly();
        }

        // 3. the model at the path is one complete version, never the one being written
        int saved = lastSaved.get();
        int version = versionOf(file);
        assertTrue(version >= 1 && version <= saved + 1, // +1: renamed but killed before printing
                "loaded version " + version + " after " + saved + " reported saves");
        List<Path> leftovers = tempFiles(file);
        System.out.printf("killed after %d saves with %d bytes in the temporary file; the model holds version %d; "
                + "%d stray temporary file(s) left beside it, for the next save to remove%n",
                saved, killedWhileTempBytes, version, leftovers.size());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                assertTrue(p.equals(file) || AtomicFiles.isTempFileFor(file, p), "unexpected file " + p);
            }
        }

        // 4. the stray is the killed writer's, and the next save of the same target removes it. It is
        //    backdated past STALE_AFTER first: a fresh one is kept, since it could be a live writer's
        //    on a machine sharing the directory, where this machine cannot look up the pid.
        assertEquals(1, leftovers.size(), "stray temporary files " + leftovers);
        Path stray = leftovers.getFirst();
        assertEquals(child.pid(), AtomicFiles.writerPid(file.getFileName().toString(), stray), stray.toString());
        Files.setLastModifiedTime(stray, FileTime.from(
                Instant.now().minus(AtomicFiles.STALE_AFTER).minus(Duration.ofMinutes(1))));
        Sequential model = SaveLoopMain.model();
        SaveLoopMain.setVersion(model, saved + 2);
        ModelFile.save(file, model);
        assertEquals(saved + 2, versionOf(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "the stray temporary file is gone");
        }
    }

    private static Process startSaveLoop(Path file, AtomicInteger lastSaved, StringBuffer output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), SaveLoopMain.class.getName(), file.toString());
        pb.redirectErrorStream(true);
        Process child = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("saved ")) lastSaved.set(Integer.parseInt(line.substring(6).trim()));
                    else output.append(line).append('\n');
                }
            } catch (IOException e) {
                // the stream closes when the child dies
            }
        }, "save-loop-output");
        reader.setDaemon(true);
        reader.start();
        return child;
    }

    /** The version a complete file holds; fails if any value is off, as in a torn or mixed file. */
    private static int versionOf(Path file) throws IOException {
        ModelFile.SavedModel m = ModelFile.load(file);
        Map<String, Tensor> state = m.model().stateDict();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(state.keySet()));
        int version = (int) state.get("0.weight").array()[0];
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            float[] d = e.getValue().array();
            for (int i = 0; i < d.length; i++) {
                if (d[i] != SaveLoopMain.valueOf(version, i)) {
                    fail(e.getKey() + "[" + i + "] = " + d[i] + " does not belong to version " + version);
                }
            }
        }
        return version;
    }

    private List<Path> tempFiles(Path file) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> AtomicFiles.isTempFileFor(file, p)).toList();
        }
    }

    private static long sizeOrMinusOne(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return -1; // renamed or deleted between listing and looking
        } catch (IOException e) {
            return -1;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, long millis, String what, Process child,
            StringBuffer output) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (!child.isAlive()) fail("the save loop exited before " + what + ": " + output);
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what + "; output: " + output);
            Thread.sleep(5);
        }
    }
}
