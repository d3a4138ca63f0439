package org.backprop.bench;

import java.util.List;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/**
 * The benchmark's network and its training step, shared by the JMH benchmark and the end-to-end
 * runner: MLP 784-256-128-10 with ReLU, softmax cross-entropy on the logits, Adam lr 1e-3, as
 * torch_fashion.py's {@code mlp()}.
 * The loss is the library's fused {@link CrossEntropyLoss}, the optimizer its {@link Adam}.
 */
final class Mlp {
    final Sequential model;
    final Optimizer optimizer;

    Mlp(long seed) {
        Random rng = new Random(seed);
        model = new Sequential(new Linear(784, 256, rng), new Activation.ReLU(), new Linear(256, 128, rng),
                new Activation.ReLU(), new Linear(128, 10, rng));
        optimizer = optimizer(model.parameters());
    }

    static Optimizer optimizer(List<Parameter> params) {
        return new Adam(params, 1e-3);
    }

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss();

    static Tensor loss(Tensor logits, Tensor labels) {
        return CROSS_ENTROPY.apply(logits, labels);
    }

    /** One step on a batch: zero the gradients, forward, loss, backward, update. Returns the loss. */
    float step(Tensor images, Tensor labels) {
        optimizer.zeroGrad();
        Tensor loss = loss(model.forward(images), labels);
        loss.backward();
        optimizer.step();
        return loss.item();
    }

    /** Copies the rows {@code order[from .. from+count)} of a [rows, cols] array into {@code out}. */
    static void gather(float[] src, int cols, int[] order, int from, int count, float[] out) {
        for (int r = 0; r < count; r++) System.arraycopy(src, order[from + r] * cols, out, r * cols, cols);
    }
}
