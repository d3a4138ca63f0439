package org.backprop.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.backprop.audio.Audio;
import org.backprop.audio.WavReader;
import org.backprop.io.TarReader;

/**
 * The Free Spoken Digit Dataset (Jakobovski et al., CC BY-SA 4.0): 3,000 recordings of the digits
 * 0–9, 8 kHz mono, 6 speakers × 50 a digit, files {@code {digit}_{speaker}_{index}.wav}.
 *
 * <p>{@link #load(Path)} looks, in order, in the folder given by the user, in {@value #SYSTEM_DIR}
 * and in the cache {@code ~/.cache/backprop/fsdd}, for {@value #ARCHIVE} or the official release
 * archive {@value #RELEASE_ARCHIVE} (read member by member, nothing extracted), or a folder of the
 * WAV files ({@code recordings/} as in the repository, or the files themselves); found nowhere, it
 * downloads the official archive {@value #SOURCE} into the cache, and offline says how to get it.
 *
 * <p>The official split: recordings with index 0–4 are the test set (300), 5–49 training (2,700).
 */
public final class Fsdd {
    /** The archive name the loader looks for first (the peer benchmark's). */
    public static final String ARCHIVE = "fsdd.tar.gz";
    /** The official release's archive, as GitHub names the download. */
    public static final String RELEASE_ARCHIVE = "free-spoken-digit-dataset-1.0.10.tar.gz";
    /** The official release archive's address. */
    public static final String SOURCE = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz";
    /** A system-wide folder, by analogy with Debian's data set packages. */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fsdd";
    /** Classes: the digits 0–9. */
    public static final int CLASSES = 10;
    /** Recordings with a smaller index are the official test set. */
    public static final int TEST_INDICES = 5;

    private static final Pattern NAME = Pattern.compile("([0-9])_([a-z]+)_([0-9]+)\\.wav");
    private static final long MAX_MEMBER = 16L << 20;

    /** One recording and what its file name says about it. */
    public record Recording(String name, int digit, String speaker, int index, Audio audio) {}

    /** Training and test recordings. */
    public record Split(List<Recording> train, List<Recording> test) {}

    private final List<Recording> recordings;

    private Fsdd(List<Recording> recordings) {
        this.recordings = List.copyOf(recordings);
    }

    /** Every recording, sorted by file name. */
    public List<Recording> recordings() {
        return recordings;
    }

    /** The speakers' names, sorted. */
    public List<String> speakers() {
        return List.copyOf(new TreeSet<>(recordings.stream().map(Recording::speaker).toList()));
    }

    /** The official split: index 0–4 of each digit and speaker test, 5–49 training. */
    public Split officialSplit() {
        return new Split(recordings.stream().filter(r -> r.index() >= TEST_INDICES).toList(),
                recordings.stream().filter(r -> r.index() < TEST_INDICES).toList());
    }

    /** Every recording of {@code speaker} is the test set, the other speakers' the training set. */
    public Split holdOutSpeaker(String speaker) {
        if (!speakers().contains(speaker)) {
            throw new IllegalArgumentException("--split speaker=" + speaker + ": no such speaker; the speakers are "
                    + String.join(", ", speakers()));
        }
        return new Split(recordings.stream().filter(r -> !r.speaker().equals(speaker)).toList(),
                recordings.stream().filter(r -> r.speaker().equals(speaker)).toList());
    }

    /** Whether {@code fileName} (without folders) is named like a recording of the data set. */
    public static boolean isRecordingName(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /** Searches {@code dataDir} (may be null), {@value #SYSTEM_DIR} and the cache, then downloads. */
    public static Fsdd load(Path dataDir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (dataDir != null) dirs.add(dataDir);
        dirs.add(Path.of(SYSTEM_DIR));
        dirs.add(defaultCache());
        return load(dirs, defaultCache(), URI.create(SOURCE));
    }

    /** The user cache folder, {@code ~/.cache/backprop/fsdd}. */
    public static Path defaultCache() {
        return Path.of(System.getProperty("user.home"), ".cache", "backprop", "fsdd");
    }

    /** The loader behind {@link #load(Path)}; {@code source} null means no download. */
    static Fsdd load(List<Path> dirs, Path cache, URI source) throws IOException {
        for (Path dir : dirs) {
            Path found = find(dir);
            if (found != null) return read(found);
        }
        if (source == null) throw missing(dirs, "downloading is disabled");
        return read(download(dirs, cache, source));
    }

    /** The archive or folder of recordings in {@code dir}, or null. */
    static Path find(Path dir) {
        for (String name : List.of(ARCHIVE, RELEASE_ARCHIVE)) {
            if (Files.isRegularFile(dir.resolve(name))) return dir.resolve(name);
        }
        for (Path d : List.of(dir.resolve("recordings"), dir.resolve("fsdd-recordings"), dir)) {
            if (Files.isDirectory(d) && Files.isRegularFile(d.resolve("0_jackson_0.wav"))) return d;
        }
        return null;
    }

    /**
     * Reads a tar archive (gzipped or not) or a folder: every file named like a recording, in any
     * sub-folder of the archive.
     */
    public static Fsdd read(Path archiveOrFolder) throws IOException {
        List<Recording> out = new ArrayList<>();
        if (Files.isDirectory(archiveOrFolder)) {
            try (Stream<Path> files = Files.list(archiveOrFolder)) {
                for (Path f : files.filter(f -> isRecordingName(f.getFileName().toString())).toList()) {
                    out.add(recording(f.getFileName().toString(), WavReader.read(f)));
                }
            }
        } else {
            TarReader.read(archiveOrFolder, name -> isRecordingName(baseName(name)), MAX_MEMBER,
                    (name, bytes) -> out.add(recording(baseName(name), WavReader.parse(bytes, archiveOrFolder + "!" + name))));
        }
        if (out.isEmpty()) {
            throw new IOException(archiveOrFolder + ": no recordings named like {digit}_{speaker}_{index}.wav;"
                    + " is this the Free Spoken Digit Dataset?");
        }
        out.sort(Comparator.comparing(Recording::name));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).name().equals(out.get(i - 1).name())) {
                throw new IOException(archiveOrFolder + ": recording " + out.get(i).name() + " appears twice");
            }
        }
        return new Fsdd(out);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Recording recording(String name, Audio audio) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) throw new IllegalStateException("not a recording name: " + name);
        return new Recording(name, Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), audio);
    }

    private static Path download(List<Path> dirs, Path cache, URI source) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(source).timeout(Duration.ofMinutes(10)).GET().build();
        Files.createDirectories(cache);
        Path part = Files.createTempFile(cache, ARCHIVE, ".part");
        try {
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw missing(dirs, "downloading " + source + " failed (" + e + "); are you offline?");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("the FSDD download of " + source + " was interrupted", e);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw missing(dirs, "downloading " + source + " gave HTTP status " + response.statusCode());
                }
                Files.copy(body, part, StandardCopyOption.REPLACE_EXISTING);
            }
            Path target = cache.resolve(ARCHIVE);
            read(part); // check it before it takes the archive's place
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static IOException missing(List<Path> dirs, String why) {
        return new IOException("the Free Spoken Digit Dataset was not found in " + dirs + " (looked for " + ARCHIVE + ", "
                + RELEASE_ARCHIVE + " or a folder of its WAV files) and " + why + ". To get it, download " + SOURCE
                + " (16 MB) into " + defaultCache() + " or a folder you pass with --data-dir; it is read in place, no need to extract it.");
    }
}
