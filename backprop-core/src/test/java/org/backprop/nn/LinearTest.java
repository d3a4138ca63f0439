package org.backprop.nn;

import static org.backprop.tensor.Fixtures.doubles;
import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {
    private final Random rng = new Random(8);

    @Test
    void forwardIsInputTimesWeightTransposedPlusBias() {
        Linear lin = new Linear(4, 5, rng);
        Tensor x = uniform(rng, -1, 1, 3, 4).requiresGrad(false);
        double[] w = doubles(lin.weight.value()), b = doubles(lin.bias.value()), xv = doubles(x);
        Tensor y = lin.forward(x);
        assertArrayEquals(new int[] {3, 5}, y.shape());
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 5; o++) {
                double s = b[o];
                for (int k = 0; k < 4; k++) s += xv[i * 4 + k] * w[o * 4 + k]; // weight is [out, in]
                assertEquals(s, y.get(i, o), 1e-6, "y[" + i + "," + o + "]");
            }
        }
        // the same map on leading batch axes and on a single 1-D sample
        Tensor x3 = x.reshape(1, 3, 4);
        assertArrayEquals(y.toFloatArray(), lin.forward(x3).toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {1, 3, 5}, lin.forward(x3).shape());
        Tensor row = lin.forward(x.slice(0, 1, 2).reshape(4));
        assertArrayEquals(new int[] {5}, row.shape());
        for (int o = 0; o < 5; o++) assertEquals(y.get(1, o), row.get(o), 1e-6);
    }

    @Test
    void defaultInitIsPyTorchsUniform() {
        Linear lin = new Linear(50, 40, rng);
        double bound = 1 / Math.sqrt(50);
        for (float v : lin.weight.value().toFloatArray()) assertTrue(Math.abs(v) <= bound, "weight " + v);
        for (float v : lin.bias.value().toFloatArray()) assertTrue(Math.abs(v) <= bound, "bias " + v);
        assertArrayEquals(new int[] {40, 50}, lin.weight.shape());
        Linear noBias = new Linear(3, 2, false, Init.heNormal(), rng);
        assertNull(noBias.bias);
        assertEquals(1, noBias.parameters().size());
    }

    @Test
    void gradientsOfWeightBiasAndInput() {
        Linear lin = new Linear(4, 3, rng);
        Tensor w = lin.weight.value(), b = lin.bias.value();
        gradcheck(in -> lin.forward(in[2]).tanh(), w, b, uniform(rng, -1, 1, 5, 4));
        gradcheck(in -> lin.forward(in[2]).tanh(), w, b, uniform(rng, -1, 1, 1, 4)); // batch of one
        gradcheck(in -> lin.forward(in[2]).tanh(), w, b, uniform(rng, -1, 1, 2, 3, 4)); // leading batch axes
        Linear noBias = new Linear(4, 3, false, Init.xavierUniform(), rng);
        gradcheck(in -> noBias.forward(in[1]), noBias.weight.value(), uniform(rng, -1, 1, 7, 4));
    }

    /** residual + x·Wᵀ + b in one product: the same values as the add, and every input's gradient checked. */
    @Test
    void productWithResidualAddsTheResidualAndPassesItsGradient() {
        Linear lin = new Linear(4, 3, rng);
        Tensor w = lin.weight.value(), b = lin.bias.value();
        Tensor x = uniform(rng, -1, 1, 5, 4), r = uniform(rng, -1, 1, 5, 3);
        assertArrayEquals(lin.forward(x).add(r).toFloatArray(), Linear.linear(x, w, b, r).toFloatArray(), 1e-6f);
        gradcheck(in -> Linear.linear(in[2], in[0], in[1], in[3]).tanh(), w, b, x, r);
        // the residual also feeding the product's input, as a transformer's stream does; and no bias
        gradcheck(in -> Linear.linear(in[1], in[0], null, in[1].slice(1, 0, 3)).tanh(), w, uniform(rng, -1, 1, 2, 4));
        String msg = assertThrows(IllegalArgumentException.class, () -> Linear.linear(x, w, b, Tensor.zeros(5, 4))).getMessage();
        assertTrue(msg.contains("residual") && msg.contains("[5, 3]"), msg);
    }

    @Test
    void wrongInputWidthIsReported() {
        Linear lin = new Linear(4, 3, rng);
        String msg = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 5))).getMessage();
        assertTrue(msg.contains("[2, 5]") && msg.contains("4"), msg);
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3, rng));
    }
}
