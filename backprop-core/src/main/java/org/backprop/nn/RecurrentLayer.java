package org.backprop.nn;

import java.util.Arrays;
import org.backprop.tensor.Tensor;

/**
 * One layer of a recurrent network (both directions) as a single fused operation: one autograd
 * node whose backward is backpropagation through time written out by hand.
 *
 * <p>Forward, per direction: the input projection of the whole sequence is one product
 * G = X·W_ihᵀ + b ([T·B, gates·H]); then each step adds h_prev·W_hhᵀ (a product against W_hhᵀ
 * transposed once per call) and runs the gate arithmetic ({@link Gates}) over the batch.
 * Everything the backward needs (activated gates, every h and c) lands in arrays sized once per
 * call, so no step allocates. Backward, per direction, steps in reverse: the gate gradients dG
 * of a step give dh_prev = dG·W_hh; after the loop the weight gradients are two products over
 * the whole sequence, dW_ih = dGᵀ·X and dW_hh = dGᵀ·H_prev (H_prev is contiguous because the
 * states are stored with the initial one at the end the direction starts from), dX = dG·W_ih.
 *
 * <p>Batch entries with a length shorter than T are frozen after their last step: their state
 * is carried unchanged, their output is 0, and in the backward they pass dh and dc straight
 * through with zero gate gradients, so padding changes nothing (PyTorch's packed sequences).
 *
 * <p>The result is one flat tensor: output [T, B, D·H], then h_n [D, B, H], then (LSTM) c_n
 * [D, B, H]; callers take views of it.
 */
final class RecurrentLayer {
    private RecurrentLayer() {}

    /** The shapes of one call. */
    record Dims(int steps, int batch, int input, int hidden, int directions) {
        int outSize() {
            return steps * batch * directions * hidden;
        }

        int stateSize() {
            return directions * batch * hidden;
        }
    }

    /** Where layer {@code layer} reports its per-step gradient norms ({@link Recurrent.StepGradients}). */
    record Watch(Recurrent.StepGradients listener, int layer) { }

    /**
     * @param x       the input, [T·B, I] time-major and contiguous
     * @param h0      initial hidden states [D, B, H], contiguous
     * @param c0      initial cell states [D, B, H] (LSTM), else null
     * @param weights per direction: weight_ih, weight_hh, bias_ih, bias_hh
     * @param lengths per batch entry, or null when all have T steps
     * @param watch   who receives the per-step gradient norms of the backward pass, or null
     */
    static Tensor apply(Recurrent.Cell cell, Dims d, Tensor x, Tensor h0, Tensor c0, Parameter[][] weights, int[] lengths,
                        Watch watch) {
        int total = d.outSize() + d.stateSize() * (cell == Recurrent.Cell.LSTM ? 2 : 1);
        float[] packed = new float[total];
        RecurrentDirection[] dirs = new RecurrentDirection[d.directions()];
        for (int k = 0; k < dirs.length; k++) {
            dirs[k] = new RecurrentDirection(cell, d, k, weights[k], lengths);
            dirs[k].forward(x, h0, c0, packed);
        }
        int extra = c0 == null ? 0 : 1;
        Tensor[] inputs = new Tensor[2 + extra + 4 * dirs.length];
        inputs[0] = x;
        inputs[1] = h0;
        if (c0 != null) inputs[2] = c0;
        for (int k = 0; k < dirs.length; k++) {
            for (int p = 0; p < 4; p++) inputs[2 + extra + 4 * k + p] = weights[k][p].value();
        }
        return Tensor.fromOperation(packed, new int[] {total}, cell.opName(), grad -> {
            Tensor g = grad.contiguous();
            Tensor[] grads = new Tensor[inputs.length];
            float[] dx = x.requiresGrad() ? new float[x.numel()] : null;
            float[] dh0 = h0.requiresGrad() ? new float[h0.numel()] : null;
            float[] dc0 = c0 != null && c0.requiresGrad() ? new float[c0.numel()] : null;
            for (int k = 0; k < dirs.length; k++) {
                Tensor[] w = Arrays.copyOfRange(inputs, 2 + extra + 4 * k, 6 + extra + 4 * k);
                double[] norms = watch == null ? null : new double[d.steps()];
                Tensor[] wg = dirs[k].backward(g.array(), g.offset(), x, w, dx, k > 0, dh0, dc0, norms);
                if (norms != null) watch.listener().onBackward(watch.layer(), k, norms);
                System.arraycopy(wg, 0, grads, 2 + extra + 4 * k, 4);
            }
            if (dx != null) grads[0] = Tensor.wrap(dx, x.shape());
            if (dh0 != null) grads[1] = Tensor.wrap(dh0, h0.shape());
            if (dc0 != null) grads[2] = Tensor.wrap(dc0, c0.shape());
            return grads;
        }, inputs);
    }
}
