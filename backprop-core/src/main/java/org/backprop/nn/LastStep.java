package org.backprop.nn;

import org.backprop.tensor.Tensor;

/**
 * The last time step of a batch-first sequence: [N, T, F] → [N, F]. After a unidirectional
 * recurrent layer this is its top layer's final state (PyTorch's {@code gru(x)[1][-1]}), so a
 * classifier can read a whole sequence: {@code Sequential(GRU, LastStep, Linear)}.
 */
public final class LastStep extends Module {
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException("LastStep takes batch-first sequences [N, T, F], got " + x.dim() + " axes");
        }
        int t = x.size(1);
        if (t == 0) throw new IllegalArgumentException("LastStep: the sequences have no steps");
        return x.slice(1, t - 1, t).squeeze(1);
    }

    @Override
    public String toString() {
        return "LastStep()";
    }
}
