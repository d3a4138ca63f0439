package org.backprop.loss;

import java.util.Objects;
import org.backprop.autograd.GradMode;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Cross-entropy of logits against class indices, PyTorch's {@code nn.CrossEntropyLoss}: a
 * log-softmax and {@link NLLLoss} fused into one operation. For logits z of shape [N, C] and
 * targets tᵢ ∈ {0, …, C−1} (shape [N], stored as float values), with label smoothing ε:
 * <pre>
 *   log pᵢ꜀ = zᵢ꜀ − mᵢ − log Σₖ e^(zᵢₖ − mᵢ),   mᵢ = maxₖ zᵢₖ
 *   ℓᵢ      = (1 − ε)·(−log pᵢ,ₜᵢ) + ε·(1/C)·Σ꜀ (−log pᵢ꜀)
 *   L       = (1/N)·Σᵢ ℓᵢ                          (Reduction.SUM: without 1/N)
 *   ∂L/∂zᵢ꜀ = (pᵢ꜀ − qᵢ꜀) / N,   qᵢ꜀ = (1 − ε)·[c = tᵢ] + ε/C
 * </pre>
 * q is the smoothed target distribution. Subtracting the row maximum before exponentiating
 * keeps every logit finite in the computation, so logits such as ±10⁴ or 10³⁰ give a finite
 * loss and gradient; a logit of −∞ (a masked class) is allowed and gets probability 0
 * (with ε &gt; 0 its −log p is +∞, so the smoothed loss is then +∞, as in PyTorch).
 * The log-softmax is computed once, in double precision; the backward pass needs only p.
 *
 * @param labelSmoothing ε in [0, 1] (default 0)
 * @param reduction      mean over the batch (the default) or sum
 */
public record CrossEntropyLoss(double labelSmoothing, Reduction reduction) implements Loss {
    public CrossEntropyLoss {
        Objects.requireNonNull(reduction, "reduction");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
    }

    /** No label smoothing, mean reduction: PyTorch's defaults. */
    public CrossEntropyLoss() {
        this(0, Reduction.MEAN);
    }

    public CrossEntropyLoss(double labelSmoothing) {
        this(labelSmoothing, Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor logits, Tensor target) {
        int[] classes = Checks.classTargets("CrossEntropyLoss", "logits", logits, target);
        int n = logits.size(0), c = logits.size(1);
        Tensor lc = logits.isContiguous() ? logits : logits.contiguous(); // read in place: no per-step copy
        float[] z = lc.array();
        int zo = lc.offset();
        double eps = labelSmoothing;
        boolean keepProbabilities = GradMode.isEnabled() && logits.requiresGrad();
        float[] p = keepProbabilities ? StepArena.scratch(n * c) : null; // every element written
        double total = 0;
        // Each row's exponentials taken once and kept for p (the same values: the same bits as
        // taking them again, without the second exp per logit)
        double[] ex = p != null ? new double[c] : null;
        for (int i = 0; i < n; i++) {
            int row = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) max = Math.max(max, z[zo + row + k]);
            double sumExp = 0;
            if (ex != null) {
                for (int k = 0; k < c; k++) sumExp += ex[k] = Math.exp(z[zo + row + k] - max);
            } else {
                for (int k = 0; k < c; k++) sumExp += Math.exp(z[zo + row + k] - max);
            }
            double logSum = Math.log(sumExp);
            // −log p_ik = max + log Σ − z_ik, formed from differences so huge logits cancel exactly.
            double nll = logSum - (z[zo + row + classes[i]] - max);
            double loss = (1 - eps) * nll;
            if (eps > 0) { // skipped at ε = 0 so a −∞ logit cannot turn 0·∞ into NaN
                double smooth = 0;
                for (int k = 0; k < c; k++) smooth += logSum - (z[zo + row + k] - max);
                loss += eps * smooth / c;
            }
            total += loss;
            if (p != null) {
                for (int k = 0; k < c; k++) p[row + k] = (float) (ex[k] / sumExp);
            }
        }
        double scale = reduction.scale(n);
        return Tensor.fromOperation(new float[] {(float) (total * scale)}, new int[0], "CrossEntropyLoss", g -> {
            if (p == null) return new Tensor[] {null, null}; // only the (index) target required grad
            double s = scale * g.item();
            double off = eps / c, on = 1 - eps + eps / c;
            float[] dz = StepArena.scratch(n * c); // every element written
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    double q = k == classes[i] ? on : off;
                    dz[i * c + k] = (float) (s * (p[i * c + k] - q));
                }
            }
            return new Tensor[] {Tensor.wrap(dz, n, c), null};
        }, logits, target);
    }
}
