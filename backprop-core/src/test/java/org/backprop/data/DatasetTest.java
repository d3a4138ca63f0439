package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** N samples whose features are [i, 10·i] and whose target is i, so every row names its origin. */
    static Dataset indexed(int n) {
        float[] x = new float[n * 2];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new Dataset(Tensor.wrap(x, n, 2), Tensor.wrap(y, n));
    }

    static int[] ids(Dataset d) {
        float[] y = d.targets().toFloatArray();
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) out[i] = (int) y[i];
        return out;
    }

    @Test
    void subsetGathersRowsOfFeaturesAndTargetsTogether() {
        Dataset d = indexed(6).subset(new int[] {4, 1, 4});
        assertArrayEquals(new int[] {3, 2}, d.features().shape());
        assertArrayEquals(new float[] {4, 40, 1, 10, 4, 40}, d.features().toFloatArray());
        assertArrayEquals(new float[] {4, 1, 4}, d.targets().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> indexed(3).subset(new int[] {3}));
    }

    @Test
    void splitIsDisjointCoversEverySampleAndKeepsRowsTogether() {
        Dataset.Split s = indexed(100).split(0.25, 7);
        assertEquals(75, s.train().size());
        assertEquals(25, s.test().size());
        Set<Integer> seen = new HashSet<>();
        for (Dataset part : List.of(s.train(), s.test())) {
            float[] x = part.features().toFloatArray();
            int[] id = ids(part);
            for (int i = 0; i < id.length; i++) {
                assertTrue(seen.add(id[i]), "sample " + id[i] + " is in both parts");
                assertEquals(id[i], x[2 * i]);
                assertEquals(10 * id[i], x[2 * i + 1]);
            }
        }
        assertEquals(100, seen.size());
    }

    @Test
    void splitRepeatsWithTheSameSeedAndChangesWithAnother() {
        Dataset d = indexed(50);
        int[] a = ids(d.split(0.2, 3).test());
        int[] b = ids(d.split(0.2, 3).test());
        int[] c = ids(d.split(0.2, 4).test());
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        // not simply the first or last rows
        assertFalse(Arrays.equals(a, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        assertFalse(Arrays.equals(a, new int[] {40, 41, 42, 43, 44, 45, 46, 47, 48, 49}));
    }

    @Test
    void splitRejectsFractionsThatLeaveAPartEmpty() {
        var e = assertThrows(IllegalArgumentException.class, () -> indexed(4).split(0.1, 1));
        assertTrue(e.getMessage().contains("empty part"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> indexed(4).split(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> indexed(4).split(0, 1));
    }

    @Test
    void mismatchedSampleCountsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("3 feature rows but 4 target rows"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(Tensor.zeros(3, 2), Tensor.zeros(3), List.of("a"), List.of()));
    }

    @Test
    void nonDenseInputsAreCopiedSoRowsCanBeGathered() {
        Tensor xt = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t(); // [3, 2] view, not contiguous
        Dataset d = new Dataset(xt, Tensor.of(new float[] {0, 1, 2}, 3));
        assertTrue(d.features().isDense());
        assertArrayEquals(new float[] {3, 6}, d.subset(new int[] {2}).features().toFloatArray());
    }

    @Test
    void classCountReadsIndicesAndRejectsOthers() {
        assertEquals(4, new Dataset(Tensor.zeros(3, 1), Tensor.of(new float[] {0, 3, 1}, 3)).classCount());
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(Tensor.zeros(2, 1), Tensor.of(new float[] {0, 1.5f}, 2)).classCount());
        assertTrue(e.getMessage().contains("sample 1 is 1.5"), e.getMessage());
    }
}
