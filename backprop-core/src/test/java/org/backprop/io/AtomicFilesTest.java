package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesNewFileAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("summary.json");
        AtomicFiles.writeString(target, "{\"loss\": 0.5}\n");
        assertEquals("{\"loss\": 0.5}\n", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void replacesExistingFile() throws IOException {
        Path target = dir.resolve("a.bin");
        AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
        AtomicFiles.writeBytes(target, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void failureMidWriteKeepsThePreviousContentAndRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.writeString(target, "old");
        IOException boom = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap("partial new con".getBytes()));
            assertEquals(2, listDir().size(), "the temporary file exists while writing");
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void uncheckedFailureAlsoCleansUp() throws IOException {
        Path target = dir.resolve("x.txt");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, ch -> {
            throw new UncheckedIOException(new IOException("x"));
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listDir());
    }

    @Test
    void temporaryFileIsRecognisedAndDistinctFromTheTarget() throws IOException {
        Path target = dir.resolve("m.safetensors");
        Path[] seen = new Path[1];
        AtomicFiles.write(target, ch -> seen[0] = listDir().getFirst());
        assertTrue(AtomicFiles.isTempFileFor(target, seen[0]), seen[0].toString());
        assertEquals(dir, seen[0].getParent(), "same directory, so the rename stays on one file system");
        assertFalse(AtomicFiles.isTempFileFor(target, target));
        assertFalse(AtomicFiles.isTempFileFor(target, dir.resolve("other.safetensors.1234.tmp")));
        assertFalse(AtomicFiles.isTempFileFor(target, dir.resolve(".m.safetensors..tmp")));
    }

    @Test
    void writtenFileGetsTheUsualPermissionsNotOwnerOnly() throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (view == null) return; // not a POSIX file system: nothing to compare
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @Test
    void missingDirectoryIsReportedWithTheTarget() {
        Path target = dir.resolve("no/such/dir/model.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> AtomicFiles.writeString(target, "x"));
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void temporaryFileIsNamedByTheWritingProcess() throws IOException {
        Path target = dir.resolve("m.safetensors");
        Path[] seen = new Path[1];
        AtomicFiles.write(target, ch -> seen[0] = listDir().getFirst());
        assertEquals(ProcessHandle.current().pid(), AtomicFiles.writerPid("m.safetensors", seen[0]), seen[0].toString());
    }

    @Test
    void writerPidIsReadOnlyFromThisTargetsTemporaryNames() {
        String t = "m.safetensors";
        assertEquals(123, AtomicFiles.writerPid(t, dir.resolve(".m.safetensors.123-0123456789abcdef.tmp")));
        for (String other : List.of(
                "m.safetensors", ".m.safetensors.tmp", ".m.safetensors..tmp", ".x.tmp",
                ".m.safetensors.0123456789abcdef.tmp", // without a pid: an older version's name
                ".m.safetensors.123-0123456789ABCDEF.tmp", ".m.safetensors.123-0123456789abcde.tmp",
                ".m.safetensors.-0123456789abcdef.tmp", ".m.safetensors.12a-0123456789abcdef.tmp",
                "m.safetensors.123-0123456789abcdef.tmp", ".m.safetensors.123-0123456789abcdef.tmp.bak",
                ".other.safetensors.123-0123456789abcdef.tmp", ".m.safetensors.x.123-0123456789abcdef.tmp")) {
            assertEquals(-1, AtomicFiles.writerPid(t, dir.resolve(other)), other);
        }
    }

    @Test
    void nextWriteRemovesAStaleTemporaryOfADeadWriter() throws IOException, InterruptedException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.writeString(target, "v1");
        long dead = deadPid();
        Path stale = stray(".model.safetensors." + dead + "-00000000000000aa.tmp", true);
        Path fresh = stray(".model.safetensors." + dead + "-00000000000000bb.tmp", false);
        AtomicFiles.writeString(target, "v2");
        assertEquals("v2", Files.readString(target));
        assertFalse(Files.exists(stale), "the dead writer's stale temporary is removed");
        assertTrue(Files.exists(fresh), "one modified within STALE_AFTER may belong to a writer this machine cannot see");
        assertEquals(List.of(fresh, target), listDir());
    }

    @Test
    void liveWritersTemporariesAndUnrelatedFilesAreLeftAlone() throws IOException, InterruptedException {
        Path target = dir.resolve("model.safetensors");
        long dead = deadPid();
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertTrue(ProcessHandle.of(parent).orElseThrow().isAlive());
        List<Path> kept = List.of(
                stray(".model.safetensors." + parent + "-0000000000000001.tmp", true), // a live process
                stray(".model.safetensors." + ProcessHandle.current().pid() + "-0000000000000002.tmp", true), // this one
                stray(".other.safetensors." + dead + "-0000000000000003.tmp", true), // another target
                stray(".model.safetensors.0000000000000004.tmp", true), // no pid: cannot tell
                stray(".model.safetensors." + dead + "-0000000000000005.tmp.keep", true),
                stray("model.safetensors." + dead + "-0000000000000006.tmp", true),
                stray("notes.txt", true));
        Path directory = Files.createDirectory(dir.resolve(".model.safetensors." + dead + "-0000000000000007.tmp"));
        Path removed = stray(".model.safetensors." + dead + "-0000000000000008.tmp", true);
        AtomicFiles.writeString(target, "x");
        assertFalse(Files.exists(removed), "the dead writer's temporary is removed in the same pass");
        for (Path p : kept) assertEquals("left alone", Files.readString(p), p.toString());
        assertTrue(Files.isDirectory(directory), "only regular files are removed");
        assertEquals(kept.size() + 2, listDir().size(), listDir().toString());
    }

    /** A file named {@code name} with some content, optionally last modified before STALE_AFTER. */
    private Path stray(String name, boolean stale) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "left alone");
        if (stale) {
            Instant old = Instant.now().minus(AtomicFiles.STALE_AFTER).minus(Duration.ofMinutes(1));
            Files.setLastModifiedTime(p, FileTime.from(old));
        }
        return p;
    }

    /** The pid of a process that has exited and been reaped, so no process has it (until pids wrap around). */
    private static long deadPid() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor(), "java -version");
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).isEmpty(), "pid " + pid + " was taken again at once");
        return pid;
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
