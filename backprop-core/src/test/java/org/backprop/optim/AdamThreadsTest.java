package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Adam's and AdamW's update against the float32 formula written out here, bit for bit, for
 * short parameters and for one long enough to be split over the kernel threads; every
 * combination of weight decay and AMSGrad; gradients including zeros and a range of sizes.
 */
class AdamThreadsTest {

    /** The update as {@link Adam} states it, one element at a time on one thread. */
    private static void reference(float[] w, float[] g, float[] m, float[] v, float[] vMax, long t, double lr,
            double l2, double decoupled, boolean amsgrad) {
        double beta1 = Adam.DEFAULT_BETA1, beta2 = Adam.DEFAULT_BETA2;
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (lr * bc2Sqrt / (1 - Math.pow(beta1, t)));
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        float e = (float) (Adam.DEFAULT_EPS * bc2Sqrt), decay = (float) l2, shrink = (float) (1 - lr * decoupled);
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float gi = l2 != 0 ? g[i] + decay * wi : g[i];
            if (decoupled != 0) wi *= shrink;
            float mi = b1 * m[i] + c1 * gi;
            float vi = b2 * v[i] + c2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            if (amsgrad) vi = vMax[i] = Math.max(vMax[i], vi);
            w[i] = wi - (mi / ((float) Math.sqrt(vi) + e)) * stepSize;
        }
    }

    private static void check(int n, double l2, double decoupled, boolean amsgrad) {
        Random rng = new Random(n * 31L + (amsgrad ? 1 : 0));
        float[] w0 = new float[n];
        for (int i = 0; i < n; i++) w0[i] = (float) rng.nextGaussian();
        Parameter p = new Parameter(Tensor.of(w0, n));
        double lr = 3e-3;
        Optimizer opt = decoupled != 0
                ? new AdamW(List.of(p), AdamW.defaults().lr(lr).weightDecay(decoupled).amsgrad(amsgrad))
                : new Adam(List.of(p), Adam.Options.defaults().lr(lr).weightDecay(l2).amsgrad(amsgrad));
        float[] w = w0.clone(), m = new float[n], v = new float[n], vMax = new float[n];
        for (int t = 1; t <= 4; t++) {
            float[] g = new float[n];
            double scale = Math.pow(10, rng.nextInt(7) - 4);
            for (int i = 0; i < n; i++) g[i] = i % 7 == 3 ? 0f : (float) (rng.nextGaussian() * scale);
            p.value().clearGrad();
            p.value().accumulateGrad(Tensor.of(g, n));
            opt.step();
            reference(w, g, m, v, vMax, t, lr, l2, decoupled, amsgrad);
            float[] actual = p.data();
            for (int i = 0; i < n; i++) {
                if (Float.floatToIntBits(w[i]) != Float.floatToIntBits(actual[i])) {
                    fail("n=" + n + " l2=" + l2 + " decoupled=" + decoupled + " amsgrad=" + amsgrad + " step " + t
                            + " weight " + i + ": " + actual[i] + ", expected " + w[i]);
                }
            }
        }
    }

    @Test
    void sameBitsWhetherSplitOverThreadsOrNot() {
        for (int n : new int[] {1, 7, 16, 37, 100, 1000, 70_001}) { // the last is split over threads
            for (boolean amsgrad : new boolean[] {false, true}) {
                check(n, 0, 0, amsgrad);
                check(n, 0.01, 0, amsgrad);
                check(n, 0, 0.01, amsgrad);
            }
        }
    }
}
