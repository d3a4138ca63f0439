package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricsTest {
    // y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]: errors −0.5, 0.5, 0, 1
    private static final Tensor Y = Tensor.of(new float[] {3, -0.5f, 2, 7}, 4, 1);
    private static final Tensor P = Tensor.of(new float[] {2.5f, 0, 2, 8}, 4, 1);

    @Test
    void regressionMetricsByHand() {
        // SSE = 0.25 + 0.25 + 0 + 1 = 1.5; mean(y) = 2.875;
        // SST = 0.125² + 3.375² + 0.875² + 4.125² = 29.1875
        assertEquals(1.5 / 4, Metrics.mse(P, Y), 1e-9);
        assertEquals(Math.sqrt(1.5 / 4), Metrics.rmse(P, Y), 1e-9);
        assertEquals(2.0 / 4, Metrics.mae(P, Y), 1e-9);
        assertEquals(1 - 1.5 / 29.1875, Metrics.r2(P, Y), 1e-9);
        assertEquals(1.0, Metrics.r2(Y, Y), 1e-12);
        // predicting the mean scores 0
        assertEquals(0.0, Metrics.r2(Tensor.full(2.875f, 4, 1), Y), 1e-9);
    }

    @Test
    void batchByBatchEqualsAllAtOnce() {
        MetricAccumulator acc = new MetricAccumulator(Task.REGRESSION);
        acc.add(P.slice(0, 0, 1), Y.slice(0, 0, 1), 2.0);
        acc.add(P.slice(0, 1, 4), Y.slice(0, 1, 4), 4.0);
        Evaluation e = acc.result();
        assertEquals(4, e.samples());
        assertEquals((2.0 * 1 + 4.0 * 3) / 4, e.loss(), 1e-12, "batch losses weighted by batch size");
        assertEquals(1 - 1.5 / 29.1875, e.r2(), 1e-9);
        assertEquals(0.5, e.mae(), 1e-9);
    }

    @Test
    void r2AveragesTargetColumnsAndHandlesConstantOnes() {
        // column 0 as above; column 1 constant 5: predicted exactly → 1, otherwise → 0
        float[] y = new float[8], exact = new float[8], off = new float[8];
        for (int i = 0; i < 4; i++) {
            y[2 * i] = Y.get(i, 0);
            exact[2 * i] = off[2 * i] = P.get(i, 0);
            y[2 * i + 1] = exact[2 * i + 1] = 5;
            off[2 * i + 1] = 6;
        }
        double r2col0 = 1 - 1.5 / 29.1875;
        assertEquals((r2col0 + 1) / 2, Metrics.r2(Tensor.wrap(exact, 4, 2), Tensor.wrap(y, 4, 2)), 1e-9);
        assertEquals((r2col0 + 0) / 2, Metrics.r2(Tensor.wrap(off, 4, 2), Tensor.wrap(y, 4, 2)), 1e-9);
    }

    @Test
    void accuracyComparesTheArgmaxWithTheClassIndex() {
        Tensor logits = Tensor.of(new float[][] {
                {2, 1, 0},    // 0
                {0, 3, 1},    // 1
                {5, 1, 4},    // 0, target 2: wrong
                {-1, -2, 0},  // 2
        });
        Tensor targets = Tensor.of(new float[] {0, 1, 2, 2}, 4);
        assertEquals(0.75, Metrics.accuracy(logits, targets), 1e-12);
        Tensor oneHot = Tensor.of(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}});
        assertEquals(0.75, Metrics.accuracy(logits, oneHot), 1e-12);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.accuracy(logits, Tensor.of(new float[] {0, 1, 3, 2}, 4)));
        assertTrue(e.getMessage().contains("sample 2"), e.getMessage());
    }

    @Test
    void evaluationListsTheTasksMetrics() {
        assertEquals(List.of("loss", "accuracy"),
                List.copyOf(Metrics.of(Task.CLASSIFICATION, Tensor.ones(1, 2), Tensor.zeros(1)).metrics().keySet()));
        assertEquals(List.of("loss", "rmse", "mae", "r2"), List.copyOf(Metrics.of(Task.REGRESSION, P, Y).metrics().keySet()));
        assertThrows(IllegalArgumentException.class, () -> Metrics.mse(P, Tensor.zeros(4, 2)));
    }
}
