package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormTest {

    private static void randomAffine(LayerNorm ln, Random rng) {
        for (int i = 0; i < ln.weight.numel(); i++) {
            ln.weight.data()[i] = 0.5f + rng.nextFloat();
            ln.bias.data()[i] = rng.nextFloat() - 0.5f;
        }
    }

    @Test
    void normalisesEachRowOverTheLastAxes() {
        Random rng = new Random(1);
        LayerNorm ln = new LayerNorm(3, 4);
        randomAffine(ln, rng);
        Tensor x = Tensor.randn(rng, 2, 5, 3, 4).mul(2f).add(3f);
        float[] xv = x.toFloatArray(), yv = ln.forward(x).toFloatArray();
        float[] g = ln.weight.data(), b = ln.bias.data();
        for (int r = 0; r < 10; r++) {
            double mean = 0, var = 0;
            for (int j = 0; j < 12; j++) mean += xv[r * 12 + j] / 12.0;
            for (int j = 0; j < 12; j++) var += Math.pow(xv[r * 12 + j] - mean, 2) / 12.0;
            for (int j = 0; j < 12; j++) {
                double expected = g[j] * (xv[r * 12 + j] - mean) / Math.sqrt(var + 1e-5) + b[j];
                assertEquals(expected, yv[r * 12 + j], 1e-4, "row " + r + ", column " + j);
            }
        }
        // the same in evaluation mode
        ln.eval();
        assertTrue(ln.forward(x).allClose(Tensor.of(yv, 2, 5, 3, 4), 0, 0));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(2);
        LayerNorm ln = new LayerNorm(5);
        randomAffine(ln, rng);
        GradCheck.check(in -> ln.forward(in[0]), Tensor.randn(rng, 3, 5).requiresGrad(true), ln.weight.value(), ln.bias.value());
        GradCheck.check(in -> ln.forward(in[0]), Tensor.randn(rng, 1, 5).requiresGrad(true), ln.weight.value(), ln.bias.value());
        LayerNorm ln2 = new LayerNorm(3, 2);
        randomAffine(ln2, rng);
        GradCheck.check(in -> ln2.forward(in[0]), Tensor.randn(rng, 2, 3, 2).requiresGrad(true), ln2.weight.value(),
                ln2.bias.value());
        LayerNorm plain = new LayerNorm(new int[] {7}, 1e-5f, false);
        assertEquals(0, plain.parameterCount());
        GradCheck.check(in -> plain.forward(in[0]), Tensor.randn(rng, 2, 7).requiresGrad(true));
    }

    @Test
    void aMismatchedTrailingShapeIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(3, 4).forward(Tensor.zeros(2, 4, 3)));
        assertTrue(e.getMessage().contains("[..., 3, 4]") && e.getMessage().contains("[2, 4, 3]"), e.getMessage());
    }
}
