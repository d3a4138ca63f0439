package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void keepsAboutOneMinusPAndScalesTheKeptValues() {
        for (float p : new float[] {0.1f, 0.5f, 0.8f}) {
            Tensor x = Tensor.rand(new Random(1), 1f, 2f, 200, 500);
            float[] xv = x.toFloatArray();
            float[] y = new Dropout(p, new Random(2)).forward(x).toFloatArray();
            int kept = 0;
            double sumX = 0, sumY = 0;
            for (int i = 0; i < y.length; i++) {
                if (y[i] != 0) {
                    kept++;
                    assertEquals(xv[i] / (1 - p), y[i], 1e-5 * y[i], "kept values are scaled by 1/(1 − p)");
                }
                sumX += xv[i];
                sumY += y[i];
            }
            // 100 000 draws: the kept fraction's standard deviation is ≤ 0.0016
            assertEquals(1 - p, kept / (double) y.length, 0.01, "fraction kept for p = " + p);
            assertEquals(sumX / y.length, sumY / y.length, 0.03 * sumX / y.length, "mean preserved for p = " + p);
        }
    }

    @Test
    void theSameSeedGivesTheSameMask() {
        Tensor x = Tensor.ones(30, 40);
        float[] a = new Dropout(0.3f, new Random(9)).forward(x).toFloatArray();
        float[] b = new Dropout(0.3f, new Random(9)).forward(x).toFloatArray();
        assertArrayEquals(a, b);
        Dropout d = new Dropout(0.3f, new Random(9));
        d.forward(x);
        float[] next = d.forward(x).toFloatArray();
        assertEquals(false, java.util.Arrays.equals(a, next), "successive calls draw new masks");
    }

    @Test
    void evaluationModeAndZeroProbabilityAreTheIdentity() {
        Tensor x = Tensor.randn(new Random(3), 4, 5);
        Dropout d = new Dropout(0.5f, new Random(1));
        d.eval();
        assertSame(x, d.forward(x));
        assertSame(x, new Dropout(0f, new Random(1)).forward(x));
        for (float v : new Dropout(1f, new Random(1)).forward(x).toFloatArray()) assertEquals(0f, v, 0f, "p = 1 drops everything");
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f, new Random(1)));
    }

    @Test
    void theGradientIsTheMask() {
        Tensor x = Tensor.rand(new Random(4), 1f, 2f, 6, 7).requiresGrad(true);
        Tensor y = new Dropout(0.4f, new Random(5)).forward(x);
        y.sum().backward();
        float[] yv = y.toFloatArray(), xv = x.toFloatArray(), g = x.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) assertEquals(yv[i] == 0 ? 0 : 1 / 0.6f, g[i], 1e-5, "element " + i);
        for (int i = 0; i < g.length; i++) assertEquals(yv[i], xv[i] * g[i], 1e-5);
    }
}
