package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** Sample ids visited by one epoch, in order, read from the batches' targets (not from indices()). */
    private static int[] visit(DataLoader loader, int epoch, List<Integer> batchSizes) {
        List<Integer> ids = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            batchSizes.add(b.size());
            float[] x = b.features().toFloatArray();
            float[] y = b.targets().toFloatArray();
            assertEquals(b.size(), y.length);
            for (int i = 0; i < y.length; i++) {
                assertEquals(10 * y[i], x[2 * i + 1], "features and target of a sample must stay together");
                assertEquals((int) y[i], b.indices()[i]);
                ids.add((int) y[i]);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void everySampleIsVisitedExactlyOncePerEpoch() {
        DataLoader loader = new DataLoader(DatasetTest.indexed(23), 5, true, 11, false);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> sizes = new ArrayList<>();
            int[] ids = visit(loader, epoch, sizes);
            assertEquals(List.of(5, 5, 5, 5, 3), sizes);
            int[] sorted = ids.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 23; i++) assertEquals(i, sorted[i]);
        }
        assertEquals(5, loader.batchCount());
    }

    @Test
    void shuffleDiffersBetweenEpochsAndRepeatsWithTheSameSeed() {
        Dataset d = DatasetTest.indexed(40);
        DataLoader a = new DataLoader(d, 8, true, 5, false);
        DataLoader b = new DataLoader(d, 8, true, 5, false);
        DataLoader other = new DataLoader(d, 8, true, 6, false);
        int[] a1 = visit(a, 1, new ArrayList<>());
        int[] a2 = visit(a, 2, new ArrayList<>());
        assertFalse(Arrays.equals(a1, a2), "two epochs must visit the samples in different orders");
        assertArrayEquals(a1, visit(b, 1, new ArrayList<>()));
        assertArrayEquals(a2, visit(b, 2, new ArrayList<>()));
        assertArrayEquals(a1, visit(a, 1, new ArrayList<>()), "an epoch must repeat when replayed");
        assertFalse(Arrays.equals(a1, visit(other, 1, new ArrayList<>())));
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        int[] ids = visit(new DataLoader(DatasetTest.indexed(7), 3, false, 1, false), 4, new ArrayList<>());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, ids);
    }

    @Test
    void dropLastLeavesOutThePartialBatchOnly() {
        DataLoader loader = new DataLoader(DatasetTest.indexed(23), 5, true, 2, true);
        List<Integer> sizes = new ArrayList<>();
        int[] ids = visit(loader, 0, sizes);
        assertEquals(List.of(5, 5, 5, 5), sizes);
        assertEquals(20, Arrays.stream(ids).distinct().count());
        assertEquals(4, loader.batchCount());
        assertEquals(20, loader.samplesPerEpoch());
        // fewer samples than one batch: nothing left
        assertEquals(0, new DataLoader(DatasetTest.indexed(4), 5, true, 2, true).batchCount());
    }

    @Test
    void anEmptyDatasetYieldsNoBatches() {
        Dataset empty = new Dataset(Tensor.zeros(0, 3), Tensor.zeros(0));
        DataLoader loader = new DataLoader(empty, 4, true, 1, false);
        assertEquals(0, loader.batchCount());
        assertFalse(loader.epoch(0).iterator().hasNext());
    }

    @Test
    void batchesKeepTrailingFeatureAxes() {
        float[] x = new float[5 * 2 * 3];
        for (int i = 0; i < x.length; i++) x[i] = i;
        Dataset d = new Dataset(Tensor.wrap(x, 5, 2, 3), Tensor.arange(5));
        Batch b = DataLoader.sequential(d, 2).epoch(0).iterator().next();
        assertArrayEquals(new int[] {2, 2, 3}, b.features().shape());
        assertTrue(b.features().isDense());
        assertArrayEquals(Arrays.copyOf(x, 12), b.features().toFloatArray());
    }
}
