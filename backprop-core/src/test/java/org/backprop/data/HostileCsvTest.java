package org.backprop.data;

import static org.backprop.io.Hostile.ascii;
import static org.backprop.io.Hostile.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.backprop.io.Hostile;
import org.backprop.guard.InputLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, points 1 to 3 for CSV: no hang, errors cut and escaped, bounded memory. */
class HostileCsvTest {
    @TempDir
    Path dir;

    private static CsvTable read(String text) throws IOException {
        return CsvTable.read(new StringReader(text), "t.csv", CsvFormat.DEFAULT);
    }

    @Test
    void aLongDigitRunEndingInALetterIsRefusedInLinearTime() {
        String cell = "1".repeat(200_000) + "x";
        Exception e = assertTimeoutPreemptively(Duration.ofSeconds(3),
                () -> assertThrows(CsvException.class, () -> read("a,b\n1,2\n1,3\n1," + cell + "\n")));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("(200001 chars)"), e.getMessage());
    }

    @Test
    void theNumberCheckAcceptsPlainDecimalsOnly() {
        for (String ok : new String[] {"1", "-1.5", "+.5", "5.", "1e3", "1.5E-7", "007"}) {
            assertTrue(CsvTable.isDecimal(ok), ok);
        }
        for (String bad : new String[] {"", ".", "-", "1e", "1e+", "1f", "0x1p3", "NaN", "Infinity", "1.2.3", "e5",
                "1 2", "١"}) {
            assertFalse(CsvTable.isDecimal(bad), bad);
        }
    }

    @Test
    void escapeSequencesAndLongCellsAreCutAndEscaped() {
        CsvException esc = assertThrows(CsvException.class, () -> read("a,b\n1,2\n1,3\n1,\u001b[31mred\u0007\n"));
        assertOneLine(esc);
        assertTrue(esc.getMessage().contains("\\u001b[31mred\\u0007"), esc.getMessage());
        CsvException header = assertThrows(CsvException.class, () -> read("a\u001b]0;x\u0007,a\u001b]0;x\u0007\n1,2\n"));
        assertOneLine(header);
        CsvException big = assertThrows(CsvException.class, () -> read("a,b\n1,2\n1,3\n1," + "z".repeat(100_000) + "\n"));
        assertOneLine(big);
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> read("\u001b[2J" + "q".repeat(5000) + ",b\n1,2\n").columnIndex("c"));
        assertOneLine(column);
    }

    @Test
    void aBinaryFileGivesOneShortLine() throws IOException {
        byte[] junk = new byte[200_000];
        new Random(1).nextBytes(junk);
        Path file = dir.resolve("ls");
        Files.write(file, junk);
        Exception e = assertThrows(Exception.class, () -> CsvTable.read(file, CsvFormat.DEFAULT));
        assertOneLine(e);
    }

    @Test
    void aDirectoryIsNamedAsOne() {
        CsvException e = assertThrows(CsvException.class, () -> CsvTable.read(dir, CsvFormat.DEFAULT));
        assertTrue(e.getMessage().equals(dir + ": is a directory, not a CSV file"), e.getMessage());
    }

    @Test
    void aLineWithoutEndIsRefusedAtTheLineLimit() throws Exception {
        // /dev/zero as --data: NULs and no line end; gzipped, 64 MB from 64 KB.
        Path bomb = dir.resolve("zero.csv.gz");
        Files.write(bomb, Hostile.gzipRepeated(new byte[0], new byte[] {0}, 64L << 20));
        CsvException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CsvException.class, () -> CsvTable.read(bomb, CsvFormat.DEFAULT)));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void aGzipBombOfValidRowsStopsAtTheInputLimit() throws Exception {
        Path bomb = dir.resolve("rows.csv.gz");
        Files.write(bomb, Hostile.gzipRepeated(ascii("a,b\n"), ascii("1,2\n"), 20_000_000)); // 80 MB of text
        InputLimits.TooLargeException e = Hostile.withProperty(InputLimits.MAX_BYTES_PROPERTY, "8m",
                () -> assertThrows(InputLimits.TooLargeException.class, () -> CsvTable.read(bomb, CsvFormat.DEFAULT)));
        assertOneLine(e);
        assertTrue(e.getMessage().contains(InputLimits.MAX_BYTES_PROPERTY), e.getMessage());
    }
}
