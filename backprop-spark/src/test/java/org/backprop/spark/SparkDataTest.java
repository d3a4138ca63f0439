package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Samples from tensors, the global-batch plan, and the lineage check that keeps tasks small. */
class SparkDataTest {

    @Test
    void oneDimensionalTargetsBecomeClassLabelsAndRowsStayRows() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        List<Sample> labeled = SparkData.samples(x, Tensor.of(new float[] {0, 2, 1}, 3));
        assertTrue(labeled.get(1).classLabel());
        assertArrayEquals(new float[] {3, 4}, labeled.get(1).features());
        assertEquals(2f, labeled.get(1).target()[0]);
        List<Sample> rows = SparkData.samples(x, Tensor.of(new float[] {0, 2, 1}, 3, 1));
        assertFalse(rows.get(1).classLabel());
        var e = assertThrows(IllegalArgumentException.class, () -> SparkData.samples(x, Tensor.of(new float[] {0, 1.5f, 1}, 3)));
        assertTrue(e.getMessage().contains("row 1 is 1.5"), e.getMessage());
    }

    @Test
    void everySampleIsUsedOncePerEpochInBatchesNearTheGlobalSize() {
        BatchPlan plan = new BatchPlan(5, true, new int[] {101, 0, 57}, 16);
        assertEquals(10, plan.stepsPerEpoch());
        int total = 0;
        for (int s = 0; s < plan.stepsPerEpoch(); s++) {
            int b = plan.globalBatch(s);
            assertTrue(b >= 14 && b <= 17, "step " + s + " has " + b + " samples");
            total += b;
        }
        assertEquals(158, total);
        int[] order = plan.order(2, 0).clone();
        java.util.Arrays.sort(order);
        for (int i = 0; i < order.length; i++) assertEquals(i, order[i]);
        assertFalse(java.util.Arrays.equals(plan.order(1, 0), plan.order(2, 0)), "each epoch reshuffles");
    }

    @Test
    void parallelisedCollectionsAreRecognisedAndFilesAreNot(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = SharedSpark.context();
        assertTrue(Preflight.comesFromDriverCollection(sc.parallelize(List.of(1, 2, 3), 2).map(i -> i + 1).rdd()));
        Path file = Files.writeString(dir.resolve("rows.csv"), "1,2\n3,4\n");
        assertFalse(Preflight.comesFromDriverCollection(sc.textFile(file.toString()).map(String::length).rdd()));
    }
}
