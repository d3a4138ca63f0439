package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModelsTest {

    @Test
    void lenet5HasPyTorchsParameterCountAndShapes() {
        Sequential net = Models.lenet5(new Random(1));
        // conv 6·25+6, conv 16·6·25+16, fc 400·120+120, 120·84+84, 84·10+10
        assertEquals(156 + 2416 + 48120 + 10164 + 850, net.parameterCount());
        assertArrayEquals(new int[] {3, 10}, net.forward(Tensor.randn(new Random(2), 3, 1, 28, 28)).shape());
        assertTrue(net.stateDict().containsKey("0.weight") && net.stateDict().containsKey("11.bias"));
    }

    @Test
    void smallCnnStaysUnderOneHundredThousandParameters() {
        Sequential net = Models.smallCnn(new Random(1));
        long count = net.parameterCount();
        assertTrue(count <= 100_000, "parameters: " + count);
        // convolutions without bias, 3 batch norms, fc 576→128→10
        assertEquals(16 * 9 + 32 * 16 * 9 + 64 * 32 * 9 + 2 * (16 + 32 + 64) + 576 * 128 + 128 + 128 * 10 + 10, count);
        assertTrue(net.stateDict().containsKey("0.1.running_var"), net.stateDict().keySet().toString());
        net.eval();
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(new int[] {1, 10}, net.forward(Tensor.randn(new Random(2), 1, 1, 28, 28)).shape());
        }
    }

    private static void lossFalls(Sequential net, float lr, int steps, long seed) {
        Random rng = new Random(seed);
        Tensor images = Tensor.randn(rng, 8, 1, 28, 28);
        Tensor labels = Tensor.arange(8);
        SGD opt = new SGD(net.parameters(), SGD.Options.defaults().lr(lr).momentum(0.9));
        CrossEntropyLoss crossEntropy = new CrossEntropyLoss();
        float first = 0, last = 0;
        for (int step = 0; step < steps; step++) {
            opt.zeroGrad();
            Tensor loss = crossEntropy.apply(net.forward(images), labels);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.5f * first, "loss " + first + " → " + last);
    }

    @Test
    void aFewStepsOnAHandfulOfImagesLowerTheLoss() {
        lossFalls(Models.smallCnn(new Random(3)), 0.05f, 10, 4);
        lossFalls(Models.lenet5(new Random(5)), 0.05f, 30, 6);
    }
}
