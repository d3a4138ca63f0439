package org.backprop.nn;

import java.util.Arrays;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.RowNorm;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Layer normalisation over the last axes: for input [..., D₁, ..., Dₖ] with
 * {@code normalizedShape} = [D₁, ..., Dₖ], each of the leading positions is normalised over its
 * D = ∏Dᵢ values, y = γ·(x − μ)/√(σ² + ε) + β, with μ and the biased σ² of those values and
 * γ, β of shape {@code normalizedShape} (elementwise affine, as in PyTorch). Output shape = input
 * shape. Unlike batch normalisation it behaves the same in training and evaluation. The
 * arithmetic is {@link RowNorm}'s, in float32 as PyTorch's CPU kernel, rows split over the
 * kernel threads.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    public final float eps;
    public final Parameter weight; // normalizedShape, γ, starts at 1; null without affine
    public final Parameter bias;   // normalizedShape, β, starts at 0; null without affine

    /** eps 1e-5 and a learned affine step, as in PyTorch. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f, true);
    }

    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: need a non-empty shape of positive sizes and eps > 0, got "
                    + Shape.str(normalizedShape) + ", eps=" + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            this.weight = registerParameter("weight", new Parameter(Tensor.ones(normalizedShape)));
            this.bias = registerParameter("bias", new Parameter(Tensor.zeros(normalizedShape)));
        } else {
            this.weight = null;
            this.bias = null;
        }
    }

    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return layerNorm(x, normalizedShape, weight == null ? null : weight.value(), bias == null ? null : bias.value(), eps);
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", affine=" + (weight != null);
    }

    /**
     * Layer normalisation as a function; {@code weight} and {@code bias} (shape
     * {@code normalizedShape}) may be {@code null}. Differentiable in x, weight and bias.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        int[] xs = x.shape();
        int k = normalizedShape.length;
        boolean fits = xs.length >= k;
        for (int i = 0; fits && i < k; i++) fits = xs[xs.length - k + i] == normalizedShape[i];
        if (!fits) {
            throw new IllegalArgumentException("LayerNorm" + Shape.str(normalizedShape) + ": expected input [..., "
                    + Shape.str(normalizedShape).substring(1) + ", got " + Shape.str(xs));
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !Shape.same(t.shape(), normalizedShape)) {
                throw new IllegalArgumentException("LayerNorm" + Shape.str(normalizedShape) + ": weight/bias of shape "
                        + Shape.str(t.shape()) + " must have the normalised shape");
            }
        }
        int d = Shape.numel(normalizedShape);
        int rows = x.numel() / d;
        Tensor xc = x.contiguous();
        float[] xd = xc.array();
        int xOff = xc.offset();
        Tensor wc = weight == null ? null : weight.contiguous();
        Tensor bc = bias == null ? null : bias.contiguous();
        float[] gamma = wc == null ? null : wc.toFloatArray();
        float[] beta = bc == null ? null : bc.toFloatArray();

        // Per-step buffers (StepArena): RowNorm writes every row of each
        float[] mean = StepArena.scratch(rows);
        float[] invStd = StepArena.scratch(rows);
        float[] out = StepArena.scratch(rows * d);
        // Rows are independent: split over the kernel threads (a GPT step normalises 768 rows of 128 nine times).
        long perRow = Parallel.MIN_ELEMENTS_PER_THREAD / d + 1;
        Parallel.forRange(rows, perRow, (part, from, to) -> RowNorm.forward(from, to, d, eps, xd, xOff, gamma, beta, out, mean, invStd));
        Tensor[] inputs = wc == null ? (bc == null ? new Tensor[] {xc} : new Tensor[] {xc, bc})
                : (bc == null ? new Tensor[] {xc, wc} : new Tensor[] {xc, wc, bc});
        return Tensor.fromOperation(out, xs, "layerNorm", grad -> {
            Tensor g = grad.contiguous();
            float[] gd = g.array();
            int go = g.offset();
            Tensor[] grads = new Tensor[inputs.length];
            if (xc.requiresGrad()) {
                float[] dx = StepArena.scratch(rows * d);
                Parallel.forRange(rows, perRow, (part, from, to) -> RowNorm.backward(from, to, d, xd, xOff, gamma, gd, go, mean, invStd, dx));
                grads[0] = Tensor.wrap(dx, xs);
            }
            // dγ and dβ straight into the parameters' gradient arrays when they are leaves, summed in row order
            float[] dGamma = null, dBeta = null;
            int next = 1;
            if (wc != null) {
                if (wc.requiresGrad() && (dGamma = wc.leafGradBuffer()) == null) {
                    grads[next] = Tensor.wrap(dGamma = new float[d], normalizedShape);
                }
                next++;
            }
            if (bc != null && bc.requiresGrad() && (dBeta = bc.leafGradBuffer()) == null) {
                grads[next] = Tensor.wrap(dBeta = new float[d], normalizedShape);
            }
            if (dGamma != null || dBeta != null) RowNorm.paramGrads(rows, d, xd, xOff, gd, go, mean, invStd, dGamma, dBeta);
            return grads;
        }, inputs);
    }
}
