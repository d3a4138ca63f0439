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
import java.nio.file.attribute.PosixFileAttributeView;
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

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
