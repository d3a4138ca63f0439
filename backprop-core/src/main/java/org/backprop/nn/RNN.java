package org.backprop.nn;

import java.util.Random;

/**
 * The plain (Elman) recurrent layer, PyTorch's {@code nn.RNN}: h = act(W_ih·x + b_ih + W_hh·h_prev
 * + b_hh) with act tanh or ReLU. See {@link Recurrent} for shapes, names and lengths.
 */
public final class RNN extends Recurrent {

    /** One tanh layer, unidirectional, time-major input, no dropout. */
    public RNN(int inputSize, int hiddenSize, Random rng) {
        this(inputSize, hiddenSize, 1, false, false, false, 0f, rng);
    }

    /** @param relu ReLU instead of tanh (PyTorch's {@code nonlinearity='relu'}) */
    public RNN(int inputSize, int hiddenSize, int numLayers, boolean relu, boolean bidirectional, boolean batchFirst,
               float dropout, Random rng) {
        super(relu ? Cell.RNN_RELU : Cell.RNN_TANH, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, rng);
    }
}
