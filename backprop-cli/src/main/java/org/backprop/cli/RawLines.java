package org.backprop.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A text file's lines as written, numbered as {@link org.backprop.data.CsvTable} numbers them
 * (so {@code lineOf(r)} finds a row's line), for output that copies the input unchanged: 127
 * stays 127, not 127.0.
 */
final class RawLines {
    private RawLines() {}

    static List<String> read(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (lines.isEmpty() && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1); // UTF-8 BOM
                lines.add(line);
            }
        }
        return lines;
    }
}
