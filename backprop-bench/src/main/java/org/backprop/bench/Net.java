package org.backprop.bench;

import java.util.List;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Models;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * A benchmark network and its training step, shared by the JMH benchmark and the end-to-end
 * runner, as torch_fashion.py builds them: {@link #mlp} is its {@code mlp()} (784-256-128-10,
 * ReLU), {@link #lenet5} its {@code lenet()}; both train with softmax cross-entropy on the
 * logits (the library's fused {@link CrossEntropyLoss}) and {@link Adam} at lr 1e-3.
 */
final class Net {
    final Sequential model;
    final Optimizer optimizer;
    /** The shape of one input image as the model takes it: [784] or [1, 28, 28]. */
    private final int[] imageShape;

    private Net(Sequential model, int... imageShape) {
        this.model = model;
        this.optimizer = new Adam(model.parameters(), 1e-3);
        this.imageShape = imageShape;
    }

    static Net mlp(long seed) {
        Random rng = new Random(seed);
        return new Net(new Sequential(new Linear(784, 256, rng), new Activation.ReLU(), new Linear(256, 128, rng),
                new Activation.ReLU(), new Linear(128, 10, rng)), 784);
    }

    static Net lenet5(long seed) {
        return new Net(Models.lenet5(new Random(seed)), 1, 28, 28);
    }

    List<Parameter> parameters() {
        return model.parameters();
    }

    /** A batch of {@code rows} images over {@code pixels} (row-major, 784 a row), shaped for the model. */
    Tensor images(float[] pixels, int rows) {
        int[] shape = new int[imageShape.length + 1];
        shape[0] = rows;
        System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
        return Tensor.wrap(pixels, shape);
    }

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss();

    /** The step's activations and their gradients, reused step to step. */
    private final StepArena arena = new StepArena();

    /**
     * One step on a batch as the Trainer takes it: forward and loss with the activations drawn
     * from the arena, then the backward pass with Adam's update of each parameter as soon as its
     * gradient is final (which leaves the gradients zero for the next step). Returns the loss.
     */
    float step(Tensor images, Tensor labels) {
        try (var _ = arena.open()) {
            Tensor loss = CROSS_ENTROPY.apply(model.forward(images), labels);
            optimizer.backwardAndStep(loss);
            return loss.item();
        }
    }

    /** Copies the rows {@code order[from .. from+count)} of a [rows, cols] array into {@code out}. */
    static void gather(float[] src, int cols, int[] order, int from, int count, float[] out) {
        for (int r = 0; r < count; r++) System.arraycopy(src, order[from + r] * cols, out, r * cols, cols);
    }
}
