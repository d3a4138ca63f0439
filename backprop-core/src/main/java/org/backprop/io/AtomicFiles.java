package org.backprop.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes files so that readers only ever see the old content or the complete new content.
 *
 * <p>The content goes to a temporary file in the target's directory (same file system, so the
 * final rename is a metadata operation), is forced to disk, and is then moved over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE} (falling back to a plain replacing move where the
 * file system cannot do an atomic one).
 *
 * <p>A process killed mid-write leaves the previous target intact plus a stray temporary file
 * named {@code .<target name>.<writer pid>-<random>.tmp}, which {@link #isTempFileFor} recognises.
 * Strays do not pile up: each write of a target first deletes the temporary files of that target
 * whose writer pid is neither this process nor any live process on this machine and which have
 * not been modified for {@link #STALE_AFTER}. Nothing else is touched: not other targets'
 * temporaries, not files of other names, not the files of a live writer. The age condition covers
 * writers this machine cannot see (another host or container sharing the directory, whose pid
 * means nothing here): a live writer keeps its file's modification time fresh. A recycled pid only
 * makes a stray wait for that process to end; temporaries named without a pid (left by versions
 * before this one) are never removed, since nothing tells whether their writer still runs.
 *
 * <p>Used by every writer that persists state: safetensors files, model files, checkpoints and
 * JSON run summaries.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    private static final String TEMP_SUFFIX = ".tmp";
    /** What lies between {@code .<target name>.} and {@code .tmp} in a temporary file's name. */
    private static final Pattern WRITER_AND_RANDOM = Pattern.compile("([0-9]{1,18})-[0-9a-f]{16}");

    /** How long a dead writer's temporary file stays unmodified before a later write removes it. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);

    private AtomicFiles() {}

    /** Produces the content of a file by writing to the channel it is given. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with what {@code content} writes. On any failure the
     * temporary file is deleted, the target is left as it was, and the exception propagates.
     *
     * <p>A symbolic link is followed: the file it points to is replaced and the link stays. A
     * target that exists but is not a regular file (a directory, a FIFO, a device) is refused, so
     * a rename never replaces {@code /dev/null} or a named pipe with a plain file.
     */
    public static void write(Path target, ContentWriter content) throws IOException {
        Path absolute = resolveTarget(target);
        Path dir = absolute.getParent();
        if (dir == null) throw new IOException(target + ": cannot write a file at the file-system root");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(target.toString(), null, "cannot write: directory " + dir + " does not exist");
        }
        removeStrays(dir, absolute.getFileName().toString()); // first: they may hold the space this write needs
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

    /** The path the rename must replace: a symlink's final target; refuses existing non-regular files. */
    static Path resolveTarget(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(absolute); hops++) {
            if (hops == 40) throw new java.nio.file.FileSystemException(target.toString(), null, "too many symbolic links");
            Path link = Files.readSymbolicLink(absolute);
            absolute = absolute.resolveSibling(link).normalize();
        }
        if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
            String kind = Files.isDirectory(absolute) ? "a directory" : "not a regular file (a pipe, socket or device)";
            throw new java.nio.file.FileSystemException(target.toString(), null, "is " + kind + "; only a regular file "
                    + "can be written here");
        }
        return absolute;
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
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path temp = dir.resolve("." + targetName + "." + pid + "-" + random + TEMP_SUFFIX);
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) throw e;
            }
        }
    }

    /**
     * Deletes the stray temporaries of {@code targetName} in {@code dir} (see the class doc for
     * which). Best effort: a failure is logged and never fails the write.
     */
    private static void removeStrays(Path dir, String targetName) {
        long self = ProcessHandle.current().pid();
        Instant staleBefore = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> writerPid(targetName, p) >= 0)) {
            for (Path p : entries) {
                long pid = writerPid(targetName, p);
                // this process may be writing the same target on another thread
                if (pid == self || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isRegularFile() || a.lastModifiedTime().toInstant().isAfter(staleBefore)) continue;
                    if (Files.deleteIfExists(p)) {
                        LOG.info("removed {}: a temporary file of {} left by process {}, which is no longer running",
                                p, targetName, pid);
                    }
                } catch (NoSuchFileException gone) {
                    // another writer of the same target removed it first
                } catch (IOException e) {
                    LOG.warn("could not remove stray temporary file {}: {}", p, e.toString());
                }
            }
        } catch (IOException | DirectoryIteratorException | UnsupportedOperationException e) {
            LOG.warn("could not look for stray temporary files of {} in {}: {}", targetName, dir, e.toString());
        }
    }

    /** The writer pid in the name of one of {@code targetName}'s temporary files, or -1 if it is not one. */
    static long writerPid(String targetName, Path candidate) {
        Path name = candidate.getFileName();
        if (name == null) return -1;
        String n = name.toString();
        String prefix = "." + targetName + ".";
        if (n.length() <= prefix.length() + TEMP_SUFFIX.length() || !n.startsWith(prefix) || !n.endsWith(TEMP_SUFFIX)) {
            return -1;
        }
        Matcher m = WRITER_AND_RANDOM.matcher(n.substring(prefix.length(), n.length() - TEMP_SUFFIX.length()));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
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
