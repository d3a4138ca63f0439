package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchNormTest {

    /** Per-channel statistics of x [N, C, S...] by hand: {mean, biased variance}, each [C]. */
    static double[][] stats(Tensor x) {
        int[] s = x.shape();
        int n = s[0], c = s[1], sp = x.numel() / (n * c);
        float[] v = x.toFloatArray();
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int q = 0; q < sp; q++) sum += v[(i * c + ch) * sp + q];
            mean[ch] = sum / (n * sp);
            double sq = 0;
            for (int i = 0; i < n; i++) for (int q = 0; q < sp; q++) sq += Math.pow(v[(i * c + ch) * sp + q] - mean[ch], 2);
            var[ch] = sq / (n * sp);
        }
        return new double[][] {mean, var};
    }

    /** γ·(x − μ)/√(σ² + ε) + β per channel, by hand. */
    static void assertNormalized(Tensor x, Tensor y, double[] mean, double[] var, float[] gamma, float[] beta, double tol) {
        int[] s = x.shape();
        int n = s[0], c = s[1], sp = x.numel() / (n * c);
        float[] xv = x.toFloatArray(), yv = y.toFloatArray();
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int q = 0; q < sp; q++) {
                    int at = (i * c + ch) * sp + q;
                    double expected = gamma[ch] * (xv[at] - mean[ch]) / Math.sqrt(var[ch] + 1e-5) + beta[ch];
                    assertEquals(expected, yv[at], tol, "element " + at);
                }
    }

    private static void randomAffine(BatchNorm bn, Random rng) {
        for (int i = 0; i < bn.numFeatures; i++) {
            bn.weight.data()[i] = 0.5f + rng.nextFloat();
            bn.bias.data()[i] = rng.nextFloat() - 0.5f;
        }
    }

    @Test
    void trainingNormalisesWithBatchStatistics() {
        Random rng = new Random(1);
        BatchNorm1d bn1 = new BatchNorm1d(3);
        randomAffine(bn1, rng);
        Tensor x = Tensor.randn(rng, 5, 3).mul(3f).add(2f);
        double[][] st = stats(x);
        assertNormalized(x, bn1.forward(x), st[0], st[1], bn1.weight.data(), bn1.bias.data(), 1e-4);

        BatchNorm1d bnL = new BatchNorm1d(4);
        Tensor xl = Tensor.randn(rng, 3, 4, 7);
        st = stats(xl);
        assertNormalized(xl, bnL.forward(xl), st[0], st[1], bnL.weight.data(), bnL.bias.data(), 1e-4);

        BatchNorm2d bn2 = new BatchNorm2d(4);
        randomAffine(bn2, rng);
        Tensor big = Tensor.randn(rng, 8, 4, 48, 48).add(5f); // large enough for the threaded path; offset mean
        st = stats(big);
        assertNormalized(big, bn2.forward(big), st[0], st[1], bn2.weight.data(), bn2.bias.data(), 1e-3);
    }

    @Test
    void valuesFarFromZeroKeepFloatPrecision() {
        // mean 1000, spread 0.1: a float x·a − μ·a would cancel most of the digits
        Random rng = new Random(11);
        BatchNorm2d bn = new BatchNorm2d(3);
        randomAffine(bn, rng);
        Tensor x = Tensor.randn(rng, 6, 3, 9, 9).mul(0.1f).add(1000f);
        double[][] st = stats(x);
        assertNormalized(x, bn.forward(x), st[0], st[1], bn.weight.data(), bn.bias.data(), 2e-3);
    }

    @Test
    void runningStatisticsFollowMomentumWithTheUnbiasedVariance() {
        Random rng = new Random(2);
        BatchNorm2d bn = new BatchNorm2d(2);
        double[] rm = {0, 0}, rv = {1, 1};
        for (int step = 0; step < 3; step++) {
            Tensor x = Tensor.randn(rng, 2, 2, 3, 3).mul(step + 1f).add(step);
            bn.forward(x);
            double[][] st = stats(x);
            int m = 2 * 3 * 3;
            for (int c = 0; c < 2; c++) {
                rm[c] = 0.9 * rm[c] + 0.1 * st[0][c];
                rv[c] = 0.9 * rv[c] + 0.1 * st[1][c] * m / (m - 1);
            }
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(rm[c], bn.runningMean.get(c), 1e-5);
            assertEquals(rv[c], bn.runningVar.get(c), 1e-5);
        }
        assertEquals(3f, bn.numBatchesTracked.item());
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
    }

    @Test
    void evaluationUsesTheRunningStatisticsAndLeavesThemAlone() {
        Random rng = new Random(3);
        BatchNorm1d bn = new BatchNorm1d(3);
        randomAffine(bn, rng);
        for (int i = 0; i < 4; i++) bn.forward(Tensor.randn(rng, 6, 3).mul(2f).add(1f));
        float[] rm = bn.runningMean.toFloatArray(), rv = bn.runningVar.toFloatArray();
        bn.eval();
        Tensor x = Tensor.randn(rng, 4, 3);
        Tensor y = bn.forward(x);
        double[] mean = new double[3], var = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = rm[c];
            var[c] = rv[c];
        }
        assertNormalized(x, y, mean, var, bn.weight.data(), bn.bias.data(), 1e-5);
        assertArrayEquals(rm, bn.runningMean.toFloatArray());
        assertArrayEquals(rv, bn.runningVar.toFloatArray());
        assertEquals(4f, bn.numBatchesTracked.item());
        // a single sample is fine in evaluation, and its output does not depend on the rest of the batch
        Tensor first = bn.forward(x.slice(0, 0, 1).contiguous());
        assertArrayEquals(y.slice(0, 0, 1).toFloatArray(), first.toFloatArray());
    }

    @Test
    void gradientsInTrainingModeMatchFiniteDifferences() {
        Random rng = new Random(4);
        for (int[] shape : new int[][] {{4, 3}, {3, 2, 5}, {2, 3, 3, 5}, {1, 2, 3, 3}}) {
            BatchNorm bn = shape.length == 4 ? new BatchNorm2d(shape[1]) : new BatchNorm1d(shape[1]);
            randomAffine(bn, rng);
            Tensor x = Tensor.randn(rng, shape).requiresGrad(true);
            GradCheck.check(in -> BatchNorm.batchNorm(in[0], null, null, in[1], in[2], true, 0.1f, 1e-5f),
                    x, bn.weight.value(), bn.bias.value());
            // through the layer itself (which also updates its running statistics on every call)
            GradCheck.check(in -> bn.forward(in[0]), x);
        }
    }

    @Test
    void gradientsInEvaluationModeMatchFiniteDifferences() {
        Random rng = new Random(5);
        BatchNorm2d bn = new BatchNorm2d(3);
        randomAffine(bn, rng);
        for (int i = 0; i < 3; i++) bn.forward(Tensor.randn(rng, 2, 3, 4, 4).add(1f));
        bn.eval();
        Tensor x = Tensor.randn(rng, 1, 3, 3, 2).requiresGrad(true);
        GradCheck.check(in -> bn.forward(in[0]), x, bn.weight.value(), bn.bias.value());
    }

    @Test
    void aTrainingBatchOfOneValuePerChannelIsAnError() {
        BatchNorm1d bn = new BatchNorm1d(4);
        var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 4)));
        assertTrue(e.getMessage().contains("more than 1 value per channel when training") && e.getMessage().contains("[1, 4]"),
                e.getMessage());
        assertEquals(0f, bn.numBatchesTracked.item(), "a failed call counts no batch");
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2).forward(Tensor.zeros(1, 2, 1, 1)));
        new BatchNorm2d(2).forward(Tensor.randn(new Random(1), 1, 2, 2, 2)); // one image, several pixels: fine
        bn.eval();
        assertArrayEquals(new int[] {1, 4}, bn.forward(Tensor.zeros(1, 4)).shape());
    }

    @Test
    void wrongShapesNameTheExpectedLayout() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 4, 5, 5)));
        assertTrue(e.getMessage().contains("[N, 3, H, W]") && e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 3, 4, 4)));
        assertTrue(e.getMessage().contains("[N, 3] or [N, 3, L]"), e.getMessage());
    }

    @Test
    void trainAndEvalSwitchNestedLayers() {
        Random rng = new Random(6);
        Dropout drop = new Dropout(0.5f, rng);
        BatchNorm1d bn = new BatchNorm1d(4);
        Sequential net = new Sequential(new Linear(3, 4, rng), bn, new Sequential(drop));
        net.eval();
        assertFalse(bn.isTraining());
        assertFalse(drop.isTraining());
        net.train();
        assertTrue(bn.isTraining() && drop.isTraining());
    }

    /**
     * Synchronised statistics: slices of a batch that are handed the whole batch's statistics and
     * gradient sums normalise and back-propagate exactly as the whole batch does, and offer their
     * own sums (what a distributed run adds up).
     */
    @Test
    void slicesWithTheWholeBatchsStatisticsActAsTheWholeBatch() {
        Random rng = new Random(12);
        Tensor x = Tensor.randn(rng, 6, 3, 2, 2).mul(2f).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 6, 3, 2, 2);
        BatchNorm2d whole = new BatchNorm2d(3);
        whole.weight.value().array()[1] = 1.7f;
        Tensor y = whole.forward(x);
        y.mul(w).sum().backward();

        double[][] st = stats(x);
        float[] xv = x.toFloatArray(), wv = w.toFloatArray();
        double[] sumG = new double[3], sumGXhat = new double[3], offered = new double[4];
        for (int i = 0; i < xv.length; i++) {
            int ch = (i / 4) % 3;
            sumG[ch] += wv[i];
            sumGXhat[ch] += wv[i] * (xv[i] - st[0][ch]) / Math.sqrt(st[1][ch] + 1e-5);
        }
        BatchNorm.BatchStatistics oracle = (count, sum, squares, backward) -> {
            assertTrue(backward, "x needs a gradient");
            offered[0] += count;
            for (int ch = 0; ch < 3; ch++) offered[1 + ch] += sum[ch];
            return new BatchNorm.BatchStatistics.Combined() {
                public long count() { return 24; }
                public double[] mean() { return st[0]; }
                public double[] variance() { return st[1]; }
                public double[][] combineGradients(double[] g, double[] gx) { return new double[][] {sumG, sumGXhat}; }
            };
        };
        BatchNorm2d sliced = new BatchNorm2d(3);
        sliced.weight.value().array()[1] = 1.7f;
        sliced.synchronise(oracle);
        float[] dxWhole = x.grad().toFloatArray(), yWhole = y.toFloatArray();
        int[][] slices = {{0, 1}, {1, 6}}; // a slice of one row: too few values alone, fine with the whole batch's
        for (int[] r : slices) {
            Tensor xs = x.detach().slice(0, r[0], r[1]).contiguous().requiresGrad(true);
            Tensor ys = sliced.forward(xs);
            ys.mul(w.slice(0, r[0], r[1])).sum().backward();
            int from = r[0] * 12;
            float[] yv = ys.toFloatArray(), dx = xs.grad().toFloatArray();
            for (int i = 0; i < yv.length; i++) {
                assertEquals(yWhole[from + i], yv[i], 1e-5, "output " + i);
                assertEquals(dxWhole[from + i], dx[i], 1e-5, "input gradient " + i);
            }
            if (r[0] == 0) assertArrayEquals(whole.runningVar.toFloatArray(), sliced.runningVar.toFloatArray(), 1e-6f);
        }
        assertEquals(24, offered[0]);
        for (int ch = 0; ch < 3; ch++) assertEquals(st[0][ch] * 24, offered[1 + ch], 1e-4, "offered sum of channel " + ch);
    }
}
