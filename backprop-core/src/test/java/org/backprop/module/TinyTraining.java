package org.backprop.module;

import java.util.Random;
import org.backprop.kernel.Simd;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm2d;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;

/**
 * A few SGD steps of a small CNN (convolution, batch norm, ReLU, max-pool, GELU, linear: most
 * kernels), run by {@link NoVectorModuleTest} in a child JVM. Prints the kernels' mode and each
 * step's loss as raw float bits, so two runs can be compared bit for bit.
 */
public final class TinyTraining {
    private TinyTraining() {}

    public static void main(String[] args) {
        Random rng = new Random(7);
        Sequential net = new Sequential(new Conv2d(1, 8, Window2d.of(3, 1, 1), true, rng), new BatchNorm2d(8),
                new Activation.ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 8 * 8, 32, rng),
                new Activation.GELU(), new Linear(32, 3, rng));
        SGD sgd = new SGD(net.parameters(), 0.05);
        Tensor x = Tensor.randn(new Random(8), 16, 1, 16, 16);
        float[] labels = new float[16];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 3;
        Tensor y = Tensor.of(labels, 16);
        StringBuilder losses = new StringBuilder();
        for (int step = 0; step < 5; step++) {
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().apply(net.forward(x), y);
            loss.backward();
            sgd.step();
            losses.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(loss.item())));
        }
        System.out.println("kernels: " + Simd.describe());
        System.out.println("losses:" + losses);
    }
}
