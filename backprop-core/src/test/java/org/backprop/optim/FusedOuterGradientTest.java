package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.kernel.Gemm;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A batch-1 weight gradient is kept as its rank-1 factors (Tensor#deferLeafGradOuter) for Adam's
 * fused step to form row by row: read, it is the product the backward would have written; a NaN
 * in a factor is skipped like a NaN gradient. FusedStepTest checks fused = unfused bit for bit.
 */
class FusedOuterGradientTest {
    private static Sequential net() {
        Random rng = new Random(3);
        return new Sequential(new Linear(40, 16, rng), new Activation.ReLU(), new Linear(16, 3, rng));
    }

    private static Tensor[] sample(float first) {
        Random rng = new Random(5);
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        x[0] = first;
        return new Tensor[] {Tensor.of(x, 1, 40), Tensor.of(new float[] {2}, 1)};
    }

    @Test
    void aDeferredGradientReadsBackAsTheProductTheBackwardWouldWrite() {
        Sequential net = net();
        Parameter w = net.parameters().get(0);
        Tensor[] s = sample(0.5f);
        new CrossEntropyLoss().apply(net.forward(s[0]), s[1]).backward();
        float[][] factors = w.value().leafGradOuterFactors();
        assertEquals(Gemm.outerByRows(16), factors != null, "deferred exactly where the product runs row by row");
        if (factors == null) return;
        float[] expected = new float[16 * 40];
        Gemm.sgemm(true, false, 16, 40, 1, 1f, factors[0].clone(), 0, 16, factors[1].clone(), 0, 40, 0f, expected, 0, 40);
        assertArrayEquals(expected, w.grad().array());
        assertEquals(null, w.value().leafGradOuterFactors(), "written once read");
        float sum = 0f;
        for (float e : expected) sum += Math.abs(e);
        assertTrue(sum > 0f, "a gradient that moves the weights");
    }

    @Test
    void aNanInTheFactorsIsSkippedAndLeftToRead() {
        Sequential net = net();
        Parameter w = net.parameters().get(0);
        float[] before = w.data().clone();
        Optimizer opt = new Adam(net.parameters());
        Tensor[] s = sample(Float.NaN);
        opt.backwardAndStep(new CrossEntropyLoss().apply(net.forward(s[0]), s[1]));
        assertTrue(opt.skippedNonFiniteGradient());
        assertArrayEquals(before, w.data(), "not updated");
        assertNotNull(w.grad());
        assertTrue(Float.isNaN(w.grad().array()[0]), "the bad gradient is left for the caller to report");
    }

    @Test
    void anOverflowingProductOfFiniteFactorsIsNotFinite() {
        assertTrue(FusedStep.outerFinite(new float[] {1e19f, -3f}, new float[] {-1e19f, 0f}));
        assertFalse(FusedStep.outerFinite(new float[] {1e19f, -4e19f}, new float[] {2f, -1e19f}));
        assertFalse(FusedStep.outerFinite(new float[] {1f, Float.POSITIVE_INFINITY}, new float[] {0f}));
        assertFalse(FusedStep.outerFinite(new float[] {1f}, new float[] {Float.NaN, 1f}));
    }
}
