package org.backprop.nn;

import java.util.Random;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Vec;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Dense layer: y = x·Wᵀ + b. Input [..., in], output [..., out].
 * The weight is stored [out, in] as in PyTorch, so saved files use the same layout; the product
 * reads it through a transposed view, with no copy.
 */
public final class Linear extends Module {
    public final int in;
    public final int out;
    public final Parameter weight; // (out, in)
    public final Parameter bias;   // (out) or null

    /**
     * A layer with bias and PyTorch's default initialisation: weight and bias both drawn from
     * U(−1/√in, 1/√in).
     */
    public Linear(int in, int out, Random rng) {
        this(in, out, true, Init.pytorchDefault(), Init.uniform(1.0 / Math.sqrt(in)), rng);
    }

    /** A layer whose weight uses {@code init} (e.g. {@link Init#heNormal()}); the bias starts at zero. */
    public Linear(int in, int out, boolean bias, Init init, Random rng) {
        this(in, out, bias, init, Init.zeros(), rng);
    }

    private Linear(int in, int out, boolean bias, Init weightInit, Init biasInit, Random rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(out, in)));
        weightInit.fill(weight.value(), rng);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(Tensor.zeros(out)));
            biasInit.fill(this.bias.value(), rng);
        } else {
            this.bias = null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + "→" + out + "): input has " + x.size(-1)
                    + " features in its last axis, expected " + in + " (input shape "
                    + org.backprop.tensor.Shape.str(x.shape()) + ")");
        }
        if (x.dim() == 2) return linear(x, weight.value(), bias == null ? null : bias.value());
        Tensor y = x.matmul(weight.value().t());
        return bias == null ? y : y.add(bias.value());
    }

    /**
     * y = x·Wᵀ + b for a 2-D batch x [batch, in], W [out, in], b [out] or null, as one product:
     * C is pre-filled with the bias rows and the kernel adds x·Wᵀ to it (beta = 1), so no
     * separate broadcast pass runs. The backward is the same three products autograd would take
     * through matmul and add, without transposed views: dx = g·W, dW = gᵀ·x (already in W's
     * [out, in] layout), db = Σ over the batch of g. dW and db are added into the parameters'
     * gradient arrays directly ({@link Tensor#leafGradBuffer}). Used by this layer and by layers
     * holding their weights as plain parameters (MultiheadAttention's packed projection).
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return linear(input, weight, bias, null);
    }

    /**
     * residual + x·Wᵀ + b, residual [batch, out] or null: a transformer's residual add done by the
     * product that makes its branch. C starts as residual + bias rows (one pass) and the kernel
     * adds x·Wᵀ to it, where a separate add read both and wrote a new array; the residual's
     * gradient is the output's, passed on as an add passes it.
     */
    static Tensor linear(Tensor input, Tensor weight, Tensor bias, Tensor residual) {
        int out = weight.size(0), in = weight.size(1);
        if (input.dim() != 2 || input.size(1) != in || (bias != null && (bias.dim() != 1 || bias.size(0) != out))) {
            throw new IllegalArgumentException("linear: expected input [batch, " + in + "] and bias [" + out + "], got "
                    + org.backprop.tensor.Shape.str(input.shape()) + " and "
                    + (bias == null ? "none" : org.backprop.tensor.Shape.str(bias.shape())));
        }
        Tensor x = input.isContiguous() ? input : input.contiguous();
        Tensor wt = weight.isContiguous() ? weight : weight.contiguous();
        int batch = x.size(0);
        float[] w = wt.array();
        int wo = wt.offset();
        float[] y = StepArena.scratch(batch * out); // every element written: bias rows, or beta = 0 clears
        if (residual != null && (residual.dim() != 2 || residual.size(0) != x.size(0) || residual.size(1) != out)) {
            throw new IllegalArgumentException("linear: the residual must be [" + x.size(0) + ", " + out + "], got "
                    + org.backprop.tensor.Shape.str(residual.shape()));
        }
        float beta = 0f;
        if (residual != null) {
            Tensor rc = residual.contiguous();
            if (bias != null) {
                Tensor bc = bias.contiguous();
                Vec.rowBroadcast(Vec.Op.ADD, rc.array(), rc.offset(), bc.array(), bc.offset(), y, 0, batch, out);
            } else {
                System.arraycopy(rc.array(), rc.offset(), y, 0, batch * out);
            }
            beta = 1f;
        } else if (bias != null) {
            Tensor bc = bias.contiguous();
            for (int r = 0; r < batch; r++) System.arraycopy(bc.array(), bc.offset(), y, r * out, out);
            beta = 1f;
        }
        Gemm.sgemm(false, true, batch, out, in, 1f, x.array(), x.offset(), in, w, wo, in, beta, y, 0, out);
        Tensor[] inputs = bias == null ? new Tensor[] {x, wt} : new Tensor[] {x, wt, bias};
        if (residual != null) {
            inputs = java.util.Arrays.copyOf(inputs, inputs.length + 1);
            inputs[inputs.length - 1] = residual;
        }
        Tensor[] recorded = inputs;
        return Tensor.fromOperation(y, new int[] {batch, out}, "linear", grad -> {
            Tensor g = grad.contiguous();
            float[] gd = g.array();
            int go = g.offset();
            Tensor[] grads = new Tensor[recorded.length];
            if (x.requiresGrad()) { // [batch, in] = g[batch, out]·W[out, in]
                float[] dx = StepArena.scratch(batch * in); // beta = 0 overwrites it
                Gemm.sgemm(false, false, batch, in, out, 1f, gd, go, out, w, wo, in, 0f, dx, 0, in);
                grads[0] = Tensor.wrap(dx, batch, in);
            }
            // dW and db go straight into the parameters' gradient arrays (beta = 1): no per-step arrays.
            if (wt.requiresGrad()) { // [out, in] = gᵀ[out, batch]·x[batch, in]
                // Written (beta = 0) when the gradient is zero and unwritten (the fused step's
                // markGradZero): no pass to clear it and none to read the zeros back.
                // At batch 1 dW = gᵀ·x is rank 1: recorded as its factors, for the fused step to
                // form row by row inside the update (Tensor#deferLeafGradOuter), never stored.
                boolean deferred = batch == 1 && Gemm.outerByRows(out) && wt.deferLeafGradOuter(gd, go, x.array(), x.offset());
                float[] dw = deferred ? null : wt.leafGradBufferToOverwrite();
                float dwBeta = 0f;
                if (dw == null && !deferred && (dw = wt.leafGradBuffer()) != null) dwBeta = 1f;
                if (deferred) {
                    // written when read
                } else if (dw != null) {
                    Gemm.sgemm(true, false, out, in, batch, 1f, gd, go, out, x.array(), x.offset(), in, dwBeta, dw, 0, in);
                } else {
                    dw = new float[out * in];
                    Gemm.sgemm(true, false, out, in, batch, 1f, gd, go, out, x.array(), x.offset(), in, 0f, dw, 0, in);
                    grads[1] = Tensor.wrap(dw, out, in);
                }
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.leafGradBufferToOverwrite();
                if (db != null) java.util.Arrays.fill(db, 0f); // [out]: the fill is nothing next to the product
                else if ((db = bias.leafGradBuffer()) == null) grads[2] = Tensor.wrap(db = new float[out], out);
                Vec.addColumnSums(gd, go, batch, out, db, 0);
            }
            if (residual != null) grads[recorded.length - 1] = grad;
            return grads;
        }, recorded);
    }

    @Override
    protected String extraRepr() {
        return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
    }
}
