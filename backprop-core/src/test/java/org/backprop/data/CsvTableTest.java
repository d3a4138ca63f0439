package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private CsvException fails(Path file, CsvFormat format) {
        return assertThrows(CsvException.class, () -> CsvTable.read(file, format));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
    }

    @Test
    void readsHeaderQuotesSpacesBlankLinesAndLineEndings() throws IOException {
        Path f = write("t.csv", "\"a\", b ,\"c \"\"q\"\"\"\r\n1,2.5,-3e2\r\n\r\n \"4\" ,.5, +6\n");
        CsvTable t = CsvTable.read(f, CsvFormat.DEFAULT);
        assertEquals(List.of("a", "b", "c \"q\""), t.columns());
        assertEquals(2, t.rowCount());
        assertEquals(-300f, t.get(0, 2));
        assertArrayEquals(new float[] {4, 0.5f, 6}, new float[] {t.get(1, 0), t.get(1, 1), t.get(1, 2)});
        assertEquals(4, t.lineOf(1), "the blank line 3 is skipped but still counted");
        assertEquals(f.toString(), t.source());
    }

    @Test
    void skipsLinesBeforeTheHeaderAndOtherDelimiters() throws IOException {
        Path f = write("s.csv", "2,2,,\nx;y\n1;2\n3;4\n");
        CsvTable t = CsvTable.read(f, CsvFormat.DEFAULT.withSkipLines(1).withDelimiter(';'));
        assertEquals(List.of("x", "y"), t.columns());
        assertArrayEquals(new float[] {2, 4}, t.column("y"));
    }

    @Test
    void withoutHeaderColumnsAreNumbered() throws IOException {
        CsvTable t = CsvTable.read(write("n.csv", "1,2,3\n4,5,6\n"), CsvFormat.DEFAULT.withHeader(false));
        assertEquals(List.of("column1", "column2", "column3"), t.columns());
        assertEquals(2, t.rowCount());
    }

    @Test
    void readsGzipFiles() throws IOException {
        Path f = dir.resolve("z.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("p,q\n7,8\n".getBytes(StandardCharsets.UTF_8));
        }
        assertArrayEquals(new float[] {8}, CsvTable.read(f, CsvFormat.DEFAULT).column("q"));
    }

    @Test
    void raggedRowNamesFileLineAndBothCounts() throws IOException {
        Path f = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        CsvException e = fails(f, CsvFormat.DEFAULT);
        assertMentions(e, f.toString(), "line 3", "expected 3 columns", "found 2");
        assertEquals(3, e.line());
    }

    @Test
    void nonNumberIsQuotedWithItsColumnNameAndLine() throws IOException {
        Path f = write("bad.csv", "a,price,c\n1,2,3\n4,12k,6\n");
        CsvException e = fails(f, CsvFormat.DEFAULT);
        assertMentions(e, f.toString(), "line 3", "column 2 ('price')", "\"12k\" is not a number");
        // spellings that Float.parseFloat would accept are text in a data file, which a number column refuses
        CsvTable f1 = CsvTable.read(write("f.csv", "a,b\n1f,1\n"), CsvFormat.DEFAULT);
        assertTrue(f1.isText(0));
        assertMentions(assertThrows(CsvException.class, () -> f1.toRegression("b", Set.of())), "line 2",
                "\"1f\" is not a number");
        assertMentions(fails(write("big.csv", "a\n1e60\n"), CsvFormat.DEFAULT), "too large");
    }

    @Test
    void missingValueSpellingsAreReadAsGapsThatNumericDatasetsRefuse() throws IOException {
        CsvTable t = CsvTable.read(write("m.csv", "a,b\n1,\nNA,2\nnan,?\nnull,NaN\n5,6\n"), CsvFormat.DEFAULT);
        assertEquals(List.of(3, 3), List.of(t.missingCount(0), t.missingCount(1)));
        assertTrue(t.isMissing(0, 1) && !t.isMissing(0, 0) && !t.isText(0) && !t.isText(1));
        assertTrue(Float.isNaN(t.get(1, 0)));
        assertEquals(null, t.text(2, 1));
        assertMentions(assertThrows(CsvException.class, () -> t.toRegression("b", Set.of())), "line 2", "column 2 ('b')",
                "missing value");
    }

    @Test
    void textColumnsKeepTheirWordsAndNumbersReadBackShortest() throws IOException {
        CsvTable t = CsvTable.read(write("t.csv", "x,color\n1.50,red\n2,blue\n3,3.0\n"), CsvFormat.DEFAULT);
        assertTrue(t.isText(1));
        assertEquals(List.of("red", "blue", "3"), List.of(t.text(0, 1), t.text(1, 1), t.text(2, 1)));
        assertEquals("1.5", t.text(0, 0));
        assertEquals(1, t.headerLine());
    }

    @Test
    void unterminatedQuoteIsReported() throws IOException {
        assertMentions(fails(write("q.csv", "a,b\n1,\"2\n"), CsvFormat.DEFAULT), "line 2", "unterminated quote");
    }

    @Test
    void emptyFileAndFileWithoutDataRows() throws IOException {
        Path empty = write("empty.csv", "");
        assertMentions(fails(empty, CsvFormat.DEFAULT), empty.toString(), "empty");
        Path headerOnly = write("header.csv", "a,b\n\n");
        assertMentions(fails(headerOnly, CsvFormat.DEFAULT), headerOnly.toString(), "no data rows", "line 1");
        Path skippedAll = write("skip.csv", "506,13\n");
        assertMentions(fails(skippedAll, CsvFormat.DEFAULT.withSkipLines(2)), skippedAll.toString(), "only 1 line");
    }

    @Test
    void duplicateHeaderNamesAreRejected() throws IOException {
        assertMentions(fails(write("d.csv", "a,b,a\n1,2,3\n"), CsvFormat.DEFAULT), "line 1", "'a' appears twice");
    }

    @Test
    void unknownTargetOrDropColumnListsTheAvailableColumns() throws IOException {
        Path f = write("cols.csv", "x1,x2,label\n1,2,0\n");
        CsvTable t = CsvTable.read(f, CsvFormat.DEFAULT);
        var e = assertThrows(IllegalArgumentException.class, () -> t.toClassification("target", Set.of()));
        assertMentions(e, f.toString(), "'target'", "'x1', 'x2', 'label'");
        var d = assertThrows(IllegalArgumentException.class, () -> t.toClassification("label", Set.of("x3")));
        assertMentions(d, "'x3'", "'x1', 'x2', 'label'");
    }

    @Test
    void datasetsTakeTargetsAndDropColumns() throws IOException {
        CsvTable t = CsvTable.read(write("ds.csv", "x1,drop,x2,y\n1,9,2,0\n3,9,4,2\n"), CsvFormat.DEFAULT);
        Dataset c = t.toClassification("y", Set.of("drop"));
        assertArrayEquals(new int[] {2, 2}, c.features().shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.features().toFloatArray());
        assertArrayEquals(new int[] {2}, c.targets().shape());
        assertArrayEquals(new float[] {0, 2}, c.targets().toFloatArray());
        assertEquals(List.of("x1", "x2"), c.featureNames());

        Dataset r = t.toRegression(List.of("x2", "y"), Set.of());
        assertArrayEquals(new int[] {2, 2}, r.targets().shape());
        assertArrayEquals(new float[] {2, 0, 4, 2}, r.targets().toFloatArray());
        assertEquals(List.of("x1", "drop"), r.featureNames());
        assertArrayEquals(new int[] {2, 1}, t.toRegression("y", Set.of()).targets().shape());
    }

    @Test
    void classTargetsMustBeIndicesAndTheErrorNamesTheLine() throws IOException {
        Path f = write("cls.csv", "x,y\n1,0\n2,1\n3,0.5\n");
        CsvTable t = CsvTable.read(f, CsvFormat.DEFAULT);
        CsvException e = assertThrows(CsvException.class, () -> t.toClassification("y", Set.of()));
        assertMentions(e, f.toString(), "line 4", "'y'", "0.5", "not a class index");
    }
}
