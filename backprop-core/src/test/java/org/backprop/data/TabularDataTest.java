package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TabularDataTest {
    private static CsvTable csv(String text) {
        try {
            return CsvTable.read(new StringReader(text), "t.csv", CsvFormat.DEFAULT);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Rows "x,y" with the given targets and x = row number. */
    private static CsvTable targets(String... ys) {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < ys.length; i++) sb.append(i).append(',').append(ys[i]).append('\n');
        return csv(sb.toString());
    }

    private static TabularData infer(CsvTable t) {
        return TabularData.of(t, "y", Set.of(), null, MissingPolicy.FAIL);
    }

    @Test
    void fewWholeNumbersAreClassesAndFractionsOrManyValuesARegression() {
        TabularData cls = infer(targets("1", "2", "3", "1", "2", "3", "3"));
        assertTrue(cls.isClassification());
        assertTrue(cls.task().reason().contains("whole numbers with 3 distinct values (1, 2, 3)"), cls.task().reason());
        assertEquals(List.of("1", "2", "3"), cls.labels().names());

        TabularData frac = infer(targets("1", "2.5", "3", "1"));
        assertFalse(frac.isClassification());
        assertTrue(frac.task().reason().contains("fractions (2.5 on line 3)"), frac.task().reason());

        String[] many = new String[50];
        for (int i = 0; i < many.length; i++) many[i] = Integer.toString(100 + i % 25);
        TabularData counts = infer(targets(many));
        assertFalse(counts.isClassification(), "25 distinct whole numbers: a regression");
        assertTrue(counts.task().reason().contains("25 distinct whole numbers (more than 20)"), counts.task().reason());

        assertFalse(infer(targets("1", "2", "3", "4")).isClassification(), "a value per row is no class structure");
        assertTrue(TabularData.of(targets("1", "2.5"), "y", Set.of(), true, MissingPolicy.FAIL).task().reason()
                .contains("as asked"));
    }

    @Test
    void textLabelsAreClassesInAlphabeticalOrder() {
        TabularData d = infer(targets("nebbiolo", "barbera", "grignolino", "barbera"));
        assertTrue(d.isClassification());
        assertTrue(d.task().reason().contains("text labels (barbera, grignolino, nebbiolo)"), d.task().reason());
        assertEquals(List.of("barbera", "grignolino", "nebbiolo"), d.labels().names());
        Dataset all = d.prepare(new Splits.Rows(new int[] {0, 1, 2, 3}, new int[] {})).train();
        assertArrayEquals(new float[] {2, 0, 1, 0}, all.targets().toFloatArray());
        var e = assertThrows(IllegalArgumentException.class,
                () -> TabularData.of(targets("a", "b"), "y", Set.of(), false, MissingPolicy.FAIL));
        assertTrue(e.getMessage().contains("text labels"), e.getMessage());
        // a saved model's labels: a label it does not know is an error naming the line
        var unknown = assertThrows(CsvException.class, () -> TabularData.forModel(targets("barbera", "dolcetto"), "y",
                new TableEncoder(List.of(ColumnEncoding.numeric("x", Float.NaN))), d.labels(), MissingPolicy.FAIL));
        assertTrue(unknown.getMessage().contains("line 3") && unknown.getMessage().contains("'dolcetto'"), unknown.getMessage());
    }

    private static final String GAPS = "a,b,y\n1,10,1.5\n,20,2.5\n3,NA,3.5\n5,?,4.5\n7,40,\n9,50,6.5\n";

    @Test
    void missingValuesFailWithTheCountAndTheFirstCell() {
        var e = assertThrows(MissingValuesException.class, () -> TabularData.of(csv(GAPS), "y", Set.of(), null,
                MissingPolicy.FAIL));
        assertEquals(4, e.count());
        assertEquals(3, e.firstLine());
        assertEquals("a", e.firstColumn());
    }

    @Test
    void missingValuesDropRowsOrFillWithTrainingMeanOrMedian() {
        TabularData drop = TabularData.of(csv(GAPS), "y", Set.of(), null, MissingPolicy.DROP);
        assertEquals(2, drop.size(), "only the first and last rows have no gap");
        assertEquals(4, drop.droppedRows());
        Dataset kept = drop.prepare(new Splits.Rows(new int[] {0, 1}, new int[] {})).train();
        assertArrayEquals(new float[] {1, 10, 9, 50}, kept.features().toFloatArray());

        // mean: the row with a missing target is dropped (nothing to learn from); the gaps in a and b are filled
        TabularData mean = TabularData.of(csv(GAPS), "y", Set.of(), null, MissingPolicy.MEAN);
        assertEquals(5, mean.size());
        assertEquals(3, mean.filledCells());
        // train on samples 0, 1, 2 (file rows 1..3): a's training values are 1 and 3 (mean 2), b's 10 and 20 (mean 15)
        TabularData.Prepared p = mean.prepare(new Splits.Rows(new int[] {0, 1, 2}, new int[] {3, 4}));
        assertArrayEquals(new float[] {1, 10, 2, 20, 3, 15}, p.train().features().toFloatArray());
        assertArrayEquals(new float[] {5, 15, 9, 50}, p.test().features().toFloatArray(), "test gaps take the training fill");
        assertEquals(2f, p.encoder().columns().get(0).fill());

        TabularData median = TabularData.of(csv(GAPS), "y", Set.of(), null, MissingPolicy.MEDIAN);
        TableEncoder m = median.prepare(new Splits.Rows(new int[] {0, 1, 2, 3, 4}, new int[] {})).encoder();
        assertEquals(4f, m.columns().get(0).fill(), "median of 1, 3, 5, 9");
        assertEquals(20f, m.columns().get(1).fill(), "median of 10, 20, 50 (row 4, with 40, has no target)");
    }

    @Test
    void textFeaturesAreOneHotWithTrainingCategoriesAndUnknownOnesAllZero() {
        CsvTable t = csv("size,color,y\n1,red,0\n2,blue,1\n3,red,0\n4,green,1\n5,,0\n");
        TabularData d = TabularData.of(t, "y", Set.of(), null, MissingPolicy.MEAN);
        assertEquals(List.of("color"), d.categoricalColumns());
        // train on rows 0, 1, 2, 4: categories blue, red (green is only in the test row); the gap takes the mode, red
        TabularData.Prepared p = d.prepare(new Splits.Rows(new int[] {0, 1, 2, 4}, new int[] {3}));
        assertEquals(List.of("size", "color=blue", "color=red"), p.train().featureNames());
        assertArrayEquals(new float[] {1, 0, 1, 2, 1, 0, 3, 0, 1, 5, 0, 1}, p.train().features().toFloatArray());
        assertArrayEquals(new float[] {4, 0, 0}, p.test().features().toFloatArray(), "an unseen category: all zeros");
        assertEquals(1, p.testEncoding().unknown());
        assertTrue(p.testEncoding().firstUnknown().contains("'green'"), p.testEncoding().firstUnknown());
        assertEquals(ColumnEncoding.categorical("color", List.of("blue", "red"), "red"), p.encoder().columns().get(1));
    }

    @Test
    void stratifiedSplitOfATableKeepsClassShares() {
        String[] ys = new String[40];
        for (int i = 0; i < ys.length; i++) ys[i] = i < 30 ? "common" : "rare";
        TabularData d = infer(targets(ys));
        for (long seed = 0; seed < 10; seed++) {
            Splits.Rows s = d.split(0.3, seed);
            float[] test = d.prepare(s).test().targets().toFloatArray();
            int rare = 0;
            for (float v : test) rare += v == 1 ? 1 : 0;
            assertEquals(12, test.length);
            assertEquals(3, rare, "30% of the 10 rare rows on seed " + seed);
        }
        assertEquals(4, d.folds(4, 1).size());
    }
}
