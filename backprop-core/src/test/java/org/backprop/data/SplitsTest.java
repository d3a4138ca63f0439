package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** 59 / 71 / 48 rows of three classes, interleaved unevenly: the class sizes of a small 3-class table. */
    private static int[] classes() {
        int[] c = new int[178];
        for (int i = 0; i < c.length; i++) c[i] = i < 59 ? 0 : i < 130 ? 1 : 2;
        // mix them so that position says nothing
        for (int i = c.length - 1; i > 0; i--) {
            int j = (i * 7919) % (i + 1);
            int t = c[i];
            c[i] = c[j];
            c[j] = t;
        }
        return c;
    }

    private static int[] perClass(int[] classes, int[] rows, int k) {
        int[] n = new int[k];
        for (int r : rows) n[classes[r]]++;
        return n;
    }

    @Test
    void stratifiedTestPartKeepsEveryClassShareOnEverySeed() {
        int[] c = classes();
        for (long seed = 0; seed < 20; seed++) {
            Splits.Rows s = Splits.trainTest(c, c.length, 0.2, seed);
            assertEquals(36, s.test().length); // round(178 · 0.2), as the random split
            assertEquals(142, s.train().length);
            // exact shares 11.8 / 14.4 / 10.8 → 12 / 14 / 10 by largest remainder
            assertArrayEquals(new int[] {12, 14, 10}, perClass(c, s.test(), 3), "seed " + seed);
            int[] all = new int[178];
            for (int r : s.train()) all[r]++;
            for (int r : s.test()) all[r]++;
            assertTrue(Arrays.stream(all).allMatch(x -> x == 1), "a partition of the rows");
        }
        assertArrayEquals(Splits.trainTest(c, 178, 0.2, 5).test(), Splits.trainTest(c, 178, 0.2, 5).test());
    }

    @Test
    void randomSplitDrawsTheSameRowsAsDatasetSplit() {
        float[] x = new float[50];
        for (int i = 0; i < 50; i++) x[i] = i;
        Dataset d = new Dataset(Tensor.wrap(x, 50, 1), Tensor.wrap(x.clone(), 50, 1));
        Splits.Rows rows = Splits.trainTest(null, 50, 0.3, 9);
        assertEquals(15, rows.test().length);
        assertArrayEquals(toFloats(rows.test()), d.split(0.3, 9).test().features().toFloatArray());
    }

    private static float[] toFloats(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }

    @Test
    void aClassOfOneStaysInTraining() {
        int[] c = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
        for (long seed = 0; seed < 10; seed++) {
            Splits.Rows s = Splits.trainTest(c, 10, 0.2, seed);
            assertEquals(1, perClass(c, s.train(), 2)[1], "the single row of class 1 is not tested on alone");
        }
    }

    @Test
    void stratifiedKFoldsPartitionTheRowsWithBalancedClasses() {
        int[] c = classes();
        List<Splits.Rows> folds = Splits.kFold(c, 178, 5, 3);
        assertEquals(5, folds.size());
        int[] seen = new int[178];
        for (Splits.Rows f : folds) {
            for (int r : f.test()) seen[r]++;
            assertEquals(178 - f.test().length, f.train().length);
            assertTrue(f.test().length == 35 || f.test().length == 36, "sizes differ by at most one: " + f.test().length);
            int[] n = perClass(c, f.test(), 3);
            assertTrue(n[0] >= 11 && n[0] <= 12 && n[1] >= 14 && n[1] <= 15 && n[2] >= 9 && n[2] <= 10, Arrays.toString(n));
        }
        assertTrue(Arrays.stream(seen).allMatch(x -> x == 1), "each row is tested exactly once");
    }

    @Test
    void datasetStratifiedSplitAndTrainerValidationUseClassShares() {
        int[] c = classes();
        float[] y = new float[c.length];
        for (int i = 0; i < y.length; i++) y[i] = c[i];
        Dataset d = new Dataset(Tensor.wrap(y.clone(), c.length, 1), Tensor.wrap(y, c.length));
        Dataset.Split s = d.stratifiedSplit(0.2, 1);
        assertArrayEquals(new int[] {12, 14, 10}, perClass(s.test().classIndices(), range(36), 3));
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
