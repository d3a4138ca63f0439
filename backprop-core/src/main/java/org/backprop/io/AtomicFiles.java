package org.backprop.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers only ever see the old content or the complete new content.
 *
 * <p>The content goes to a temporary file in the target's directory (same file system, so the
 * final rename is a metadata operation), is forced to disk, and is then moved over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE} (falling back to a plain replacing move where the
 * file system cannot do an atomic one). A process killed mid-write leaves the previous target
 * intact plus, at worst, a stray temporary file named {@code .<target name>.<random>.tmp}, which
 * {@link #isTempFileFor} recognises.
 *
 * <p>Used by every writer that persists state: safetensors files, model files, checkpoints and
 * JSON run summaries.
 */
public final class AtomicFiles {
    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Produces the content of a file by writing to the channel it is given. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with what {@code content} writes. On any failure the
     * temporary file is deleted, the target is left as it was, and the exception propagates.
     */
    public static void write(Path target, ContentWriter content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null) throw new IOException(target + ": cannot write a file at the file-system root");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(target.toString(), null, "cannot write: directory " + dir + " does not exist");
        }
        Path temp = createTemp(dir, absolute.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true); // data on disk before the rename makes it visible
            }
            move(temp, absolute);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes all remaining bytes of {@code buf} (a channel may write fewer per call). */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /**
     * Whether {@code candidate} is a temporary file that {@link #write} creates (or left behind
     * after a crash) while writing {@code target}.
     */
    public static boolean isTempFileFor(Path target, Path candidate) {
        Path name = candidate.getFileName();
        Path targetName = target.getFileName();
        if (name == null || targetName == null) return false;
        String n = name.toString();
        String prefix = "." + targetName + ".";
        return n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX) && n.length() > prefix.length() + TEMP_SUFFIX.length();
    }

    private static Path createTemp(Path dir, String targetName) throws IOException {
        // Not Files.createTempFile: it makes the file owner-only (0600), and the rename would
        // carry that mode over to the target. CREATE_NEW keeps the usual umask permissions.
        for (int attempt = 0; ; attempt++) {
            String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path temp = dir.resolve("." + targetName + "." + random + TEMP_SUFFIX);
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) throw e;
            }
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable. Best effort: not every platform can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // e.g. Windows refuses to open directories; the rename is still atomic there
        }
    }
}
