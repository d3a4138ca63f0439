package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Fixtures;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Conv1d, MaxPool1d, AvgPool1d and Softplus: PyTorch parity, the definition, GradCheck. */
class SequenceLayersTest {

    @Test
    void conv1dPoolsAndSoftplusMatchPyTorch() {
        TorchFixture f = TorchFixture.load("conv1d");
        Conv1d conv = new Conv1d(3, 4, 3, 2, 2, 2, true, new Random(0));
        conv.loadStateDict(f.tensors("params"));
        Tensor x = f.tensor("input").requiresGrad(true);
        Tensor a = conv.forward(x);
        Tensor b = new MaxPool1d(3, 1, 1, 1).forward(a);
        Tensor c = new Softplus(2f, 1f).forward(b);
        Tensor y = new AvgPool1d(2, 2, 1, false).forward(c);
        TorchFixture.assertClose(f.tensor("conv"), a, 1e-5, "conv1d");
        TorchFixture.assertClose(f.tensor("maxpool"), b, 1e-5, "maxpool1d");
        TorchFixture.assertClose(f.tensor("softplus"), c, 1e-5, "softplus");
        TorchFixture.assertClose(f.tensor("output"), y, 1e-5, "avgpool1d");
        y.mul(f.tensor("w_out")).sum().backward();
        TorchFixture.assertClose(f.tensors("grads").get("weight"), conv.weight.grad(), 1e-4, "d weight");
        TorchFixture.assertClose(f.tensors("grads").get("bias"), conv.bias.grad(), 1e-4, "d bias");
        TorchFixture.assertClose(f.tensor("grad_input"), x.grad(), 1e-4, "d input");
    }

    @Test
    void conv1dIsTheSumOverItsWindow() {
        Random rng = new Random(1);
        Conv1d conv = new Conv1d(2, 3, 2, 1, 1, 1, true, rng);
        Tensor x = Tensor.randn(rng, 1, 2, 5);
        Tensor y = conv.forward(x);
        assertArrayEquals(new int[] {1, 3, 6}, y.shape());
        for (int o = 0; o < 3; o++) {
            for (int t = 0; t < 6; t++) {
                double s = conv.bias.data()[o];
                for (int c = 0; c < 2; c++) {
                    for (int k = 0; k < 2; k++) {
                        int at = t - 1 + k;
                        if (at >= 0 && at < 5) s += conv.weight.value().get(o, c, k) * x.get(0, c, at);
                    }
                }
                assertEquals(s, y.get(0, o, t), 1e-5);
            }
        }
    }

    @Test
    void passGradCheck() {
        Random rng = new Random(2);
        Conv1d conv = new Conv1d(2, 3, 3, 2, 1, 1, true, rng);
        Tensor x = Fixtures.uniform(rng, -1, 1, 2, 2, 7);
        assertTrue(GradCheck.check(in -> conv.forward(in[0]), x, conv.weight.value(), conv.bias.value()) <= 1);
        Tensor[] sep = Fixtures.separated(rng, new int[] {2, 3, 8});
        assertTrue(GradCheck.check(in -> new MaxPool1d(3, 2, 1, 1).forward(in[0]), sep[0]) <= 1);
        Tensor z = Fixtures.uniform(rng, -2, 2, 2, 3, 7);
        assertTrue(GradCheck.check(in -> new AvgPool1d(3, 2, 1, true).forward(in[0]), z) <= 1);
        assertTrue(GradCheck.check(in -> new Softplus().forward(in[0]), z) <= 1);
        assertTrue(GradCheck.check(in -> new Softplus(3f, 2f).forward(in[0]), Fixtures.uniform(rng, -2, 0.5, 4, 5)) <= 1);
    }

    @Test
    void softplusStaysFiniteAndExactAtTheExtremes() {
        Tensor y = new Softplus().forward(Tensor.of(new float[] {-200f, 0f, 30f, 1e-3f}, 4));
        assertEquals(0f, y.get(0), 1e-30);
        assertEquals(Math.log(2), y.get(1), 1e-7);
        assertEquals(30f, y.get(2));
        assertEquals(Math.log1p(Math.exp(1e-3)), y.get(3), 1e-7);
    }

    @Test
    void badShapesAreNamed() {
        Conv1d conv = new Conv1d(2, 3, 3, new Random(3));
        var e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 3, 8)));
        assertTrue(e.getMessage().contains("expected input [N, 2, L], got [1, 3, 8]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2).forward(Tensor.zeros(3, 8)));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(2, 2, 2, true));
    }
}
