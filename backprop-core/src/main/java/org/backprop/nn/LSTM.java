package org.backprop.nn;

import java.util.Random;

/**
 * Long short-term memory layers (PyTorch's {@code nn.LSTM}): gates i, f, g, o in that order;
 * c = f⊙c_prev + i⊙g, h = o⊙tanh(c). See {@link Recurrent} for shapes, names and lengths.
 */
public final class LSTM extends Recurrent {

    /** One layer, unidirectional, time-major input, no dropout. */
    public LSTM(int inputSize, int hiddenSize, Random rng) {
        this(inputSize, hiddenSize, 1, false, false, 0f, rng);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, boolean batchFirst, float dropout, Random rng) {
        super(Cell.LSTM, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, rng);
    }
}
