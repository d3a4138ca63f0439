package org.backprop.loss;

import static org.backprop.tensor.Fixtures.doubles;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Loss values (and the cross-entropy gradient) against double-precision formulas written here. */
class LossValuesTest {
    private final Random rng = new Random(21);

    private static void close(double expected, float actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
    }

    /** Mean and sum of a per-element term over prediction/target pairs. */
    private static double[] reduce(Tensor h, Tensor y, DoubleBinaryOperator term) {
        double[] hv = doubles(h), yv = doubles(y);
        double s = 0;
        for (int i = 0; i < hv.length; i++) s += term.applyAsDouble(hv[i], yv[i]);
        return new double[] {s / hv.length, s};
    }

    private void pointwise(String name, java.util.function.Function<Reduction, Loss> make, Tensor h, Tensor y,
                           DoubleBinaryOperator term) {
        double[] expected = reduce(h, y, term);
        Tensor mean = make.apply(Reduction.MEAN).apply(h, y);
        assertEquals(0, mean.dim(), name + " returns a scalar");
        close(expected[0], mean.item(), name + " mean");
        close(expected[1], make.apply(Reduction.SUM).apply(h, y).item(), name + " sum");
    }

    @Test
    void regressionLosses() {
        Tensor h = uniform(rng, -3, 3, 3, 5), y = uniform(rng, -3, 3, 3, 5);
        pointwise("MSELoss", MSELoss::new, h, y, (p, t) -> (p - t) * (p - t));
        pointwise("HalfSquaredError", HalfSquaredError::new, h, y, (p, t) -> 0.5 * (t - p) * (t - p));
        pointwise("L1Loss", L1Loss::new, h, y, (p, t) -> Math.abs(p - t));
        for (double delta : new double[] {1.0, 0.5, 2.5}) {
            pointwise("HuberLoss(" + delta + ")", r -> new HuberLoss(delta, r), h, y, (p, t) -> {
                double d = Math.abs(p - t);
                return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
            });
        }
        assertEquals(1.0, new HuberLoss().delta());
        assertEquals(Reduction.MEAN, new HuberLoss().reduction());
        // the textbook single-output case: E = ½(y − h)²
        close(0.5 * 0.3 * 0.3, new HalfSquaredError().apply(Tensor.scalar(0.9f), Tensor.scalar(0.6f)).item(), "½(y−h)²");
    }

    @Test
    void binaryCrossEntropy() {
        Tensor p = uniform(rng, 0.02, 0.98, 4, 3), y = uniform(rng, 0, 1, 4, 3);
        pointwise("BCELoss", BCELoss::new, p, y, (h, t) -> -(t * Math.log(h) + (1 - t) * Math.log(1 - h)));
        Tensor x = uniform(rng, -6, 6, 4, 3);
        // the definition through σ(x), not the implementation's rearranged form
        pointwise("BCEWithLogitsLoss", BCEWithLogitsLoss::new, x, y, (z, t) -> {
            double s = 1 / (1 + Math.exp(-z));
            return -(t * Math.log(s) + (1 - t) * Math.log(1 - s));
        });
    }

    /** Reference cross-entropy for rows of moderate logits: log p from the definition. */
    private static double[][] logProbs(double[] z, int n, int c) {
        double[][] lp = new double[n][c];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(z[i * c + k]);
            for (int k = 0; k < c; k++) lp[i][k] = z[i * c + k] - Math.log(sum);
        }
        return lp;
    }

    @Test
    void crossEntropyWithAndWithoutLabelSmoothing() {
        int n = 5, c = 4;
        Tensor z = uniform(rng, -3, 3, n, c);
        Tensor t = Tensor.of(new float[] {0, 3, 1, 1, 2}, n);
        double[][] lp = logProbs(doubles(z), n, c);
        for (double eps : new double[] {0, 0.1, 0.5, 1}) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                double uniformTerm = 0;
                for (int k = 0; k < c; k++) uniformTerm -= lp[i][k] / c;
                total += (1 - eps) * -lp[i][(int) t.get(i)] + eps * uniformTerm;
            }
            close(total / n, new CrossEntropyLoss(eps).apply(z, t).item(), "CE mean, ε=" + eps);
            close(total, new CrossEntropyLoss(eps, Reduction.SUM).apply(z, t).item(), "CE sum, ε=" + eps);

            // gradient: (softmax − smoothed one-hot) / N
            z.clearGrad();
            new CrossEntropyLoss(eps).apply(z, t).backward();
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    double q = (k == (int) t.get(i) ? 1 - eps : 0) + eps / c;
                    assertEquals((Math.exp(lp[i][k]) - q) / n, z.grad().get(i, k), 1e-7, "dCE/dz[" + i + "," + k + "] ε=" + eps);
                }
            }
        }
    }

    @Test
    void negativeLogLikelihood() {
        Tensor x = uniform(rng, -4, 0, 3, 5);
        Tensor t = Tensor.of(new float[] {4, 0, 2}, 3);
        double expected = -(x.get(0, 4) + (double) x.get(1, 0) + x.get(2, 2));
        close(expected / 3, new NLLLoss().apply(x, t).item(), "NLL mean");
        close(expected, new NLLLoss(Reduction.SUM).apply(x, t).item(), "NLL sum");
        new NLLLoss().apply(x, t).backward();
        float[] g = new float[15];
        g[4] = g[5] = g[12] = -1f / 3;
        assertArrayEquals(g, x.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void crossEntropyIsLogSoftmaxFollowedByNll() {
        Tensor z = uniform(rng, -2, 2, 6, 3);
        Tensor t = Tensor.of(new float[] {2, 2, 0, 1, 0, 1}, 6);
        close(new NLLLoss().apply(z.logSoftmax(1), t).item(), new CrossEntropyLoss().apply(z, t).item(), "CE = NLL∘logSoftmax");
    }

    @Test
    void theGradientIsScaledByTheIncomingGradient() {
        Tensor h = uniform(rng, -1, 1, 2, 3), y = uniform(rng, -1, 1, 2, 3);
        new MSELoss().apply(h, y).mul(3f).backward();
        double[] hv = doubles(h), yv = doubles(y);
        for (int i = 0; i < 6; i++) assertEquals(3 * 2 * (hv[i] - yv[i]) / 6, h.grad().toFloatArray()[i], 1e-6);
    }
}
