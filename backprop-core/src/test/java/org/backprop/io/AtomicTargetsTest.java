package org.backprop.io;

import static org.backprop.io.Hostile.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, point 10: a save writes through symlinks and never replaces a special file. */
class AtomicTargetsTest {
    @TempDir
    Path dir;

    @Test
    void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = Files.writeString(dir.resolve("real.csv"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), Path.of("real.csv"));
        AtomicFiles.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
        assertEquals("new", Files.readString(real));
    }

    @Test
    void aFifoADeviceAndADirectoryAreRefused() throws Exception {
        Path fifo = dir.resolve("pipe");
        boolean made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        assumeTrue(made && Files.exists(fifo), "mkfifo is not available");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(fifo, "x"));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertTrue(!Files.isRegularFile(fifo) && Files.exists(fifo), "the FIFO was replaced");

        Path devLink = Files.createSymbolicLink(dir.resolve("null.csv"), Path.of("/dev/null"));
        assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(devLink, "x"));
        assertTrue(Files.isSymbolicLink(devLink));

        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertTrue(assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(sub, "x")).getMessage()
                .contains("a directory"));
    }
}
