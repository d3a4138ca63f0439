package org.backprop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Seed 001's worked network: x (3 values), g1 = W1ᵀx + b1 with W1 [3×4], sigmoid φ,
 * g2 = W2ᵀh1 + b2 with one output, L = ½(y − h2)², where h2 = φ(g2). Autograd's gradients must
 * equal the hand-derived formulas, and one gradient-descent step must give the formulas' weights.
 */
class Seed001NetworkTest {

    @Test
    void autogradMatchesTheHandDerivedBackpropagationFormulas() {
        Random rng = new Random(1);
        double[] x = {0.5, -1.2, 0.8};
        double y = 0.7;
        double[][] w1 = new double[3][4];
        double[] b1 = new double[4];
        double[] w2 = new double[4];
        double b2 = rng.nextGaussian() * 0.5;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) w1[i][j] = rng.nextGaussian() * 0.5;
        for (int j = 0; j < 4; j++) {
            b1[j] = rng.nextGaussian() * 0.5;
            w2[j] = rng.nextGaussian() * 0.5;
        }

        // --- the library: the same network through autograd
        Tensor tx = Tensor.of(f(x), 3, 1);
        Tensor tW1 = Tensor.of(f(flat(w1)), 3, 4).requiresGrad(true);
        Tensor tb1 = Tensor.of(f(b1), 4, 1).requiresGrad(true);
        Tensor tW2 = Tensor.of(f(w2), 4, 1).requiresGrad(true);
        Tensor tb2 = Tensor.of(new float[] {(float) b2}, 1, 1).requiresGrad(true);
        Tensor g1 = tW1.t().matmul(tx).add(tb1);
        Tensor h1 = g1.sigmoid();
        Tensor g2 = tW2.t().matmul(h1).add(tb2);
        Tensor h2 = g2.sigmoid();
        Tensor loss = Tensor.scalar((float) y).sub(h2).square().mul(0.5f).sum();
        loss.backward();

        // --- by hand, in double precision
        double[] hg1 = new double[4], hh1 = new double[4];
        for (int j = 0; j < 4; j++) {
            double s = b1[j];
            for (int i = 0; i < 3; i++) s += w1[i][j] * x[i];
            hg1[j] = s;
            hh1[j] = sigmoid(s);
        }
        double hg2 = b2;
        for (int j = 0; j < 4; j++) hg2 += w2[j] * hh1[j];
        double hh2 = sigmoid(hg2);
        double hl = 0.5 * (y - hh2) * (y - hh2);
        double delta2 = -(y - hh2) * hh2 * (1 - hh2);              // δ2 = −(y−h2)·φ′(g2)
        double[] dW2 = new double[4];                               // ∂L/∂W2 = h1·δ2ᵀ
        double[] delta1 = new double[4];                            // δ1 = (W2δ2) ⊙ φ′(g1)
        for (int j = 0; j < 4; j++) {
            dW2[j] = hh1[j] * delta2;
            delta1[j] = w2[j] * delta2 * hh1[j] * (1 - hh1[j]);
        }
        double[][] dW1 = new double[3][4];                          // ∂L/∂W1 = x·δ1ᵀ
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) dW1[i][j] = x[i] * delta1[j];

        assertEquals(hl, loss.item(), 1e-6, "L");
        assertEquals(hh2, h2.item(), 1e-6, "h2");
        assertEquals(delta2, tb2.grad().item(), 1e-6, "∂L/∂b2 = δ2");
        for (int j = 0; j < 4; j++) {
            assertEquals(dW2[j], tW2.grad().get(j, 0), 1e-6, "∂L/∂W2[" + j + "]");
            assertEquals(delta1[j], tb1.grad().get(j, 0), 1e-6, "∂L/∂b1[" + j + "] = δ1");
            for (int i = 0; i < 3; i++) assertEquals(dW1[i][j], tW1.grad().get(i, j), 1e-6, "∂L/∂W1[" + i + "," + j + "]");
        }

        // one step of gradient descent, W := W − η·∂L/∂W, through the library's optimizer
        double eta = 0.5;
        var p1 = new org.backprop.nn.Parameter(Tensor.of(f(flat(w1)), 3, 4));
        var p2 = new org.backprop.nn.Parameter(Tensor.of(f(w2), 4, 1));
        p1.value().accumulateGrad(tW1.grad());
        p2.value().accumulateGrad(tW2.grad());
        new org.backprop.optim.SGD(java.util.List.of(p1, p2), eta).step();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) assertEquals(w1[i][j] - eta * dW1[i][j], p1.value().get(i, j), 1e-6);
        }
        for (int j = 0; j < 4; j++) assertEquals(w2[j] - eta * dW2[j], p2.value().get(j, 0), 1e-6);
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }

    private static float[] f(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }
}
