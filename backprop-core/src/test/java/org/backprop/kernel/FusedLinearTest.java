package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.nn.Linear;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Linear's fused 2-D path (bias pre-filled into the product, gradients by direct products) gives
 * the gradients of the unfused graph x·Wᵀ + b, and passes gradcheck.
 */
class FusedLinearTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 64, 130})
    void gradientsEqualTheUnfusedGraph(int batch) {
        Random rng = new Random(batch);
        Linear layer = new Linear(37, 19, rng);
        Tensor x = Tensor.randn(rng, batch, 37).requiresGrad(true);
        Tensor g = Tensor.randn(rng, batch, 19);

        Tensor y = layer.forward(x);
        y.backward(g);
        float[] dx = x.grad().toFloatArray(), dw = layer.weight.grad().toFloatArray(), db = layer.bias.grad().toFloatArray();

        layer.zeroGrad();
        x.clearGrad();
        Tensor ref = x.matmul(layer.weight.value().t()).add(layer.bias.value());
        ref.backward(g);
        // The forward adds the bias before the product's k-blocks rather than after: equal to rounding.
        assertTrue(y.allClose(ref, 1e-5, 1e-5), "forward values");
        assertArrayEquals(x.grad().toFloatArray(), dx, "dx");
        assertArrayEquals(layer.weight.grad().toFloatArray(), dw, "dW");
        assertArrayEquals(layer.bias.grad().toFloatArray(), db, "db");
    }

    /**
     * dW and db are added straight into the parameters' gradients: a layer used twice in one
     * graph gets both contributions, and a second backward without zeroGrad adds to the first,
     * as through the unfused graph (equal up to the order of the two additions).
     */
    @Test
    void inPlaceGradientsAccumulateOverSharedUsesAndBackwardPasses() {
        Random rng = new Random(7);
        Linear layer = new Linear(9, 9, rng);
        Tensor x = Tensor.randn(rng, 6, 9).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 6, 9);
        for (int pass = 0; pass < 2; pass++) layer.forward(layer.forward(x).relu()).backward(g);
        float[] dx = x.grad().toFloatArray(), dw = layer.weight.grad().toFloatArray(), db = layer.bias.grad().toFloatArray();

        layer.zeroGrad();
        x.clearGrad();
        Tensor w = layer.weight.value(), b = layer.bias.value();
        for (int pass = 0; pass < 2; pass++) x.matmul(w.t()).add(b).relu().matmul(w.t()).add(b).backward(g);
        assertTrue(Tensor.of(dx, 6, 9).allClose(x.grad(), 1e-6, 1e-6), "dx");
        assertTrue(Tensor.of(dw, 9, 9).allClose(w.grad(), 1e-6, 1e-6), "dW");
        assertTrue(Tensor.of(db, 9).allClose(b.grad(), 1e-6, 1e-6), "db");
        float[] once = w.grad().toFloatArray();
        layer.zeroGrad();
        layer.forward(layer.forward(x).relu()).backward(g);
        for (int i = 0; i < once.length; i++) once[i] /= 2;
        assertTrue(Tensor.of(once, 9, 9).allClose(w.grad(), 1e-6, 1e-6), "one pass after zeroGrad is half of two");
    }

    @Test
    void inputWithoutGradGetsNoProductAndNoBiasIsFine() {
        Random rng = new Random(3);
        Linear layer = new Linear(6, 4, false, org.backprop.nn.Init.heNormal(), rng);
        Tensor x = Tensor.randn(rng, 5, 6);
        layer.forward(x).sum().backward();
        assertNull(x.grad());
        assertTrue(layer.weight.grad() != null);
    }

    @Test
    void passesGradCheck() {
        Random rng = new Random(11);
        Linear layer = new Linear(5, 3, rng);
        Tensor x = Tensor.randn(rng, 4, 5).requiresGrad(true);
        GradCheck.check(in -> layer.forward(in[0]), x, layer.weight.value(), layer.bias.value());
        Tensor nonContiguous = Tensor.randn(rng, 5, 4).requiresGrad(true);
        GradCheck.check(in -> layer.forward(in[0].t()).relu(), nonContiguous, layer.weight.value());
    }
}
