package org.backprop.nn;

import java.util.Random;
import org.backprop.shape.Window2d;

/**
 * Ready-made classifiers: for 1×28×28 images (MNIST, Fashion-MNIST), input [N, 1, 28, 28], and
 * for 1×40×100 log-mel spectrograms of spoken digits; output [N, 10] logits (pair with a softmax
 * cross-entropy loss).
 */
public final class Models {
    private Models() {}

    /**
     * LeNet-5 as in the peer benchmark (and PyTorch's tutorials): conv 5×5 1→6 pad 2, ReLU,
     * max-pool 2, conv 5×5 6→16, ReLU, max-pool 2, flatten, fc 400→120→84→10 with ReLU between.
     * 61 706 parameters, PyTorch's default initialisation.
     */
    public static Sequential lenet5(Random rng) {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2, rng), new Activation.ReLU(), new MaxPool2d(2),  // [N, 6, 14, 14]
                new Conv2d(6, 16, 5, rng), new Activation.ReLU(), new MaxPool2d(2),        // [N, 16, 5, 5]
                new Flatten(),
                new Linear(400, 120, rng), new Activation.ReLU(),
                new Linear(120, 84, rng), new Activation.ReLU(),
                new Linear(84, 10, rng));
    }

    /**
     * A small batch-normalised CNN, 98 554 parameters, meant to reach ≥ 0.92 test accuracy on
     * Fashion-MNIST within minutes on two cores: three blocks of conv 3×3 (pad 1, no bias: batch
     * norm's β replaces it) + BatchNorm2d + ReLU + max-pool 2 with 16, 32, 64 channels
     * (28 → 14 → 7 → 3), then flatten 576 → fc 128 + ReLU + dropout 0.25 → fc 10.
     *
     * <p>Channels double as the image halves, so each block costs about the same: 1.9 M
     * multiply-adds an image forward, a third of a 32-64-64 stack (5.6 M, most of it in the 14×14
     * block), for a few tenths of a point of accuracy. The saved parameters go to the dense layer.
     *
     * @param rng draws the initial weights and, later, the dropout masks
     */
    public static Sequential smallCnn(Random rng) {
        return new Sequential(
                convBlock(1, 16, rng),   // [N, 16, 14, 14]
                convBlock(16, 32, rng),  // [N, 32, 7, 7]
                convBlock(32, 64, rng),  // [N, 64, 3, 3]
                new Flatten(),
                new Linear(64 * 3 * 3, 128, rng), new Activation.ReLU(), new Dropout(0.25f, rng),
                new Linear(128, 10, rng));
    }

    /**
     * The peer benchmark's {@code fsdd_cnn} for spoken digits: input [N, 1, 40 mel bands, 100 frames];
     * conv 3×3 pad 1 1→16, BatchNorm2d, ReLU, max-pool 2; 16→32, BatchNorm2d, ReLU, max-pool 2;
     * 32→64, ReLU, max-pool 2 (40×100 → 20×50 → 10×25 → 5×12); flatten 3840, linear 10.
     * 61 802 parameters, PyTorch's default initialisation, flat so the state-dict names are PyTorch's.
     * Flatten rather than global average pooling: averaging over the bands forgets where in
     * frequency a pattern sits (63% test accuracy against 98% in the peer's runs).
     */
    public static Sequential fsddCnn(Random rng) {
        return new Sequential(
                new Conv2d(1, 16, 3, 1, 1, rng), new BatchNorm2d(16), new Activation.ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1, rng), new BatchNorm2d(32), new Activation.ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1, rng), new Activation.ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(64 * 5 * 12, 10, rng));
    }

    /**
     * The peer benchmark's {@code fsdd_gru}: input [N, 100 frames, 40 mel bands]; a 2-layer GRU
     * with hidden size 64 (batch-first), the top layer's last state, linear 64→10. 45 962
     * parameters, PyTorch's initialisation. The recordings are right-aligned in their window so
     * that the last state follows the speech rather than a run of padding.
     */
    public static Sequential fsddGru(Random rng) {
        return new Sequential(new GRU(40, 64, 2, false, true, 0f, rng), new LastStep(), new Linear(64, 10, rng));
    }

    private static Sequential convBlock(int in, int out, Random rng) {
        return new Sequential(new Conv2d(in, out, Window2d.of(3, 1, 1), false, rng), new BatchNorm2d(out),
                new Activation.ReLU(), new MaxPool2d(2));
    }
}
