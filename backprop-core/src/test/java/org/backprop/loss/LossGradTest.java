package org.backprop.loss;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;

import java.util.Random;
import org.backprop.nn.Linear;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every loss, with respect to the prediction and (for pointwise losses) the target. */
class LossGradTest {
    private final Random rng = new Random(33);
    private static final int[][] SHAPES = {{3, 5}, {1, 1}, {7}};

    /** Targets at a distance in [min, max] from the prediction, on either side: away from kinks at d = 0 or |d| = δ. */
    private Tensor offsetFrom(Tensor h, double min, double max) {
        float[] hv = h.toFloatArray(), y = new float[hv.length];
        for (int i = 0; i < y.length; i++) {
            double d = min + (max - min) * rng.nextDouble();
            y[i] = (float) (hv[i] + (rng.nextBoolean() ? d : -d));
        }
        return Tensor.wrap(y, h.shape()).requiresGrad(true);
    }

    @Test
    void regressionLosses() {
        for (int[] s : SHAPES) {
            for (Reduction r : Reduction.values()) {
                Tensor h = uniform(rng, -2, 2, s);
                gradcheck(in -> new MSELoss(r).apply(in[0], in[1]), h, uniform(rng, -2, 2, s));
                gradcheck(in -> new HalfSquaredError(r).apply(in[0], in[1]), h, uniform(rng, -2, 2, s));
                gradcheck(in -> new L1Loss(r).apply(in[0], in[1]), h, offsetFrom(h, 0.1, 2));
                // both pieces of the Huber loss: |d| in (0.1, 0.9) is quadratic, (1.1, 3) linear
                gradcheck(in -> new HuberLoss(1.0, r).apply(in[0], in[1]), h, offsetFrom(h, 0.1, 0.9));
                gradcheck(in -> new HuberLoss(1.0, r).apply(in[0], in[1]), h, offsetFrom(h, 1.1, 3));
                gradcheck(in -> new HuberLoss(0.5, r).apply(in[0], in[1]), h, offsetFrom(h, 0.6, 1.5));
            }
        }
    }

    @Test
    void binaryCrossEntropy() {
        for (int[] s : SHAPES) {
            for (Reduction r : Reduction.values()) {
                gradcheck(in -> new BCELoss(r).apply(in[0], in[1]), uniform(rng, 0.05, 0.95, s), uniform(rng, 0, 1, s));
                gradcheck(in -> new BCEWithLogitsLoss(r).apply(in[0], in[1]), uniform(rng, -4, 4, s), uniform(rng, 0, 1, s));
            }
        }
        // hard 0/1 labels, through a sigmoid: the composition BCE∘σ must match BCE-with-logits' gradient
        Tensor labels = Tensor.of(new float[] {0, 1, 1, 0, 1}, 5);
        gradcheck(in -> new BCELoss().apply(in[0].sigmoid(), labels), uniform(rng, -3, 3, 5));
    }

    @Test
    void crossEntropy() {
        int[][] shapes = {{4, 3}, {1, 5}, {6, 2}};
        for (int[] s : shapes) {
            float[] t = new float[s[0]];
            for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(s[1]);
            Tensor target = Tensor.of(t, s[0]);
            for (double eps : new double[] {0, 0.1, 1}) {
                for (Reduction r : Reduction.values()) {
                    gradcheck(in -> new CrossEntropyLoss(eps, r).apply(in[0], target), uniform(rng, -3, 3, s));
                }
            }
            gradcheck(in -> new NLLLoss().apply(in[0], target), uniform(rng, -3, 0, s));
            gradcheck(in -> new NLLLoss(Reduction.SUM).apply(in[0].logSoftmax(1), target), uniform(rng, -3, 3, s));
        }
    }

    @Test
    void lossesOnViewsAndBehindALayer() {
        Linear lin = new Linear(4, 3, rng);
        Tensor target = Tensor.of(new float[] {2, 0, 1, 1, 0}, 5);
        gradcheck(in -> new CrossEntropyLoss(0.2).apply(lin.forward(in[2]), target),
                lin.weight.value(), lin.bias.value(), uniform(rng, -1, 1, 5, 4));
        Tensor y = uniform(rng, -1, 1, 5, 3).requiresGrad(false);
        gradcheck(in -> new MSELoss().apply(in[0].t(), y), uniform(rng, -1, 1, 3, 5)); // a transposed prediction
        gradcheck(in -> new HalfSquaredError().apply(in[0].slice(1, 1, 4), y), uniform(rng, -1, 1, 5, 5));
    }
}
