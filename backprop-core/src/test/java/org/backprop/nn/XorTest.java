package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.loss.MSELoss;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The classic demonstration that a hidden layer lets backpropagation learn a non-linearly-separable function. */
class XorTest {

    @Test
    void twoTwoOneSigmoidNetworkLearnsXor() {
        Tensor x = Tensor.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        // Seed 0 converges (loss < 0.01) after about 300 full-batch steps at this rate; 1500 is a wide
        // margin. Two hidden units can get stuck in a local minimum for some seeds (seed 6 does at
        // learning rate 5), which is why the seed is fixed.
        Random rng = new Random(0);
        Sequential net = new Sequential(
                new Linear(2, 2, rng), new Activation.Sigmoid(),
                new Linear(2, 1, rng), new Activation.Sigmoid());
        SGD sgd = new SGD(net.parameters(), 5.0);
        MSELoss mse = new MSELoss();
        float first = Float.NaN, last = Float.NaN;
        for (int epoch = 0; epoch < 1500; epoch++) {
            sgd.zeroGrad();
            Tensor loss = mse.apply(net.forward(x), y);
            if (epoch == 0) first = loss.item();
            loss.backward();
            sgd.step();
        }
        try (var s = GradMode.noGrad()) {
            Tensor out = net.forward(x);
            last = mse.apply(out, y).item();
            for (int i = 0; i < 4; i++) {
                assertEquals(y.get(i, 0), Math.round(out.get(i, 0)), "XOR of row " + i + ", output " + out.get(i, 0));
            }
        }
        assertTrue(first > 0.2, "starts near chance (MSE ≈ 0.25), was " + first);
        assertTrue(last < 0.01, "MSE after training: " + last);
    }
}
