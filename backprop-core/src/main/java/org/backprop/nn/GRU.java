package org.backprop.nn;

import java.util.Random;

/**
 * Gated recurrent units (PyTorch's {@code nn.GRU}): gates r, z, n in that order;
 * n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn)), h = (1 − z)⊙n + z⊙h_prev. See {@link Recurrent}.
 */
public final class GRU extends Recurrent {

    /** One layer, unidirectional, time-major input, no dropout. */
    public GRU(int inputSize, int hiddenSize, Random rng) {
        this(inputSize, hiddenSize, 1, false, false, 0f, rng);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, boolean batchFirst, float dropout, Random rng) {
        super(Cell.GRU, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, rng);
    }
}
