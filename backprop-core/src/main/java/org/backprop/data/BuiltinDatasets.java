package org.backprop.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.backprop.tensor.Tensor;

/**
 * Small datasets shipped inside the library (see {@code SOURCES.md} beside the resource files for
 * their origin and licence):
 * <ul>
 *   <li>{@code digits}: 1,797 8×8 images of handwritten digits, features {@code [1797, 64]}
 *       scaled from 0–16 to [0, 1], targets {@code [1797]} the digit 0–9 (classification);</li>
 *   <li>{@code housing}: the 506 Boston towns of Harrison &amp; Rubinfeld (1978), features
 *       {@code [506, 12]} as recorded (column {@code B} removed), targets {@code [506, 1]} the
 *       median home value {@code MEDV} in $1000s (regression). Standardise the features with a
 *       {@link Standardizer} fitted on the training split only.</li>
 * </ul>
 */
public final class BuiltinDatasets {
    private static final String DIR = "/org/backprop/data/";
    private static final List<String> NAMES = List.of("digits", "housing");

    private BuiltinDatasets() {}

    /** Names accepted by {@link #load}. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether the named dataset's targets are class indices (otherwise they are regression values). */
    public static boolean isClassification(String name) {
        return canonical(name).equals("digits");
    }

    /** The dataset with the given name (case-insensitive), or an error listing the known names. */
    public static Dataset load(String name) {
        return switch (canonical(name)) {
            case "digits" -> digits();
            case "housing" -> housing();
            default -> throw new AssertionError(name);
        };
    }

    private static String canonical(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown built-in dataset '" + name + "'; known: " + String.join(", ", NAMES));
        }
        return n;
    }

    /** Handwritten digits: features {@code [1797, 64]} in [0, 1], targets {@code [1797]} in 0..9. */
    public static Dataset digits() {
        // the file has no header: 64 pixel columns, then the label
        CsvTable table = readResource("digits.csv.gz", CsvFormat.DEFAULT.withHeader(false));
        Dataset raw = table.toClassification(table.columns().getLast(), Set.of());
        if (raw.featureWidth() != 64) {
            throw new IllegalStateException(table.source() + ": expected 64 pixel columns, found " + raw.featureWidth());
        }
        List<String> pixels = new ArrayList<>(64);
        for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) pixels.add("pixel_" + r + "_" + c);
        Tensor scaled = raw.features().div(16f); // pixel counts 0–16 → [0, 1]
        return new Dataset(scaled, raw.targets(), pixels, List.of("digit"));
    }

    /**
     * Boston house prices: features {@code [506, 12]} (CRIM, ZN, INDUS, CHAS, NOX, RM, AGE, DIS,
     * RAD, TAX, PTRATIO, LSTAT), targets {@code [506, 1]} (MEDV).
     */
    public static Dataset housing() {
        // line 1 is "506,13,..." (row and feature counts); the header is line 2
        CsvTable table = readResource("boston_house_prices.csv", CsvFormat.DEFAULT.withSkipLines(1));
        // B encodes the proportion of Black residents: left out on purpose (see SOURCES.md)
        return table.toRegression("MEDV", Set.of("B"));
    }

    private static CsvTable readResource(String file, CsvFormat format) {
        String path = DIR + file;
        InputStream in = BuiltinDatasets.class.getResourceAsStream(path);
        if (in == null) throw new IllegalStateException("built-in data file " + path + " is missing from the classpath");
        try (InputStream raw = in;
             Reader reader = new InputStreamReader(file.endsWith(".gz") ? new GZIPInputStream(raw) : raw,
                     StandardCharsets.UTF_8)) {
            return CsvTable.read(reader, path, format);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in data file " + path, e);
        }
    }
}
