package org.backprop.nn;

import java.util.Arrays;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Layer normalisation over the last axes: for input [..., D₁, ..., Dₖ] with
 * {@code normalizedShape} = [D₁, ..., Dₖ], each of the leading positions is normalised over its
 * D = ∏Dᵢ values, y = γ·(x − μ)/√(σ² + ε) + β, with μ and the biased σ² of those values and
 * γ, β of shape {@code normalizedShape} (elementwise affine, as in PyTorch). Output shape = input
 * shape. Unlike batch normalisation it behaves the same in training and evaluation.
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

        double[] mean = new double[rows];
        double[] invStd = new double[rows];
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            int base = xOff + r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) sum += xd[base + j];
            double mu = sum / d;
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (xd[base + j] - mu) * (xd[base + j] - mu);
            double is = 1 / Math.sqrt(sq / d + eps);
            mean[r] = mu;
            invStd[r] = is;
            for (int j = 0; j < d; j++) {
                double xhat = (xd[base + j] - mu) * is;
                out[r * d + j] = (float) (xhat * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]));
            }
        }
        Tensor[] inputs = wc == null ? (bc == null ? new Tensor[] {xc} : new Tensor[] {xc, bc})
                : (bc == null ? new Tensor[] {xc, wc} : new Tensor[] {xc, wc, bc});
        return Tensor.fromOperation(out, xs, "layerNorm", g -> {
            float[] gd = g.contiguous().toFloatArray();
            float[] dx = new float[rows * d];
            double[] dGamma = new double[d];
            double[] dBeta = new double[d];
            for (int r = 0; r < rows; r++) {
                int base = xOff + r * d;
                double mu = mean[r], is = invStd[r];
                // dx̂ = g·γ; dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), as μ and σ depend on every x of the row
                double sumD = 0, sumDXhat = 0;
                for (int j = 0; j < d; j++) {
                    double xhat = (xd[base + j] - mu) * is;
                    double dxhat = gd[r * d + j] * (gamma == null ? 1 : gamma[j]);
                    sumD += dxhat;
                    sumDXhat += dxhat * xhat;
                    dGamma[j] += gd[r * d + j] * xhat;
                    dBeta[j] += gd[r * d + j];
                }
                for (int j = 0; j < d; j++) {
                    double xhat = (xd[base + j] - mu) * is;
                    double dxhat = gd[r * d + j] * (gamma == null ? 1 : gamma[j]);
                    dx[r * d + j] = (float) (is * (dxhat - sumD / d - xhat * sumDXhat / d));
                }
            }
            Tensor[] grads = new Tensor[inputs.length];
            grads[0] = Tensor.wrap(dx, xs);
            int next = 1;
            if (wc != null) grads[next++] = Tensor.wrap(toFloat(dGamma), normalizedShape);
            if (bc != null) grads[next] = Tensor.wrap(toFloat(dBeta), normalizedShape);
            return grads;
        }, inputs);
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }
}
