package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * Binary cross-entropy on logits, PyTorch's {@code nn.BCEWithLogitsLoss}: a sigmoid and
 * {@link BCELoss} in one, computed without ever forming σ(x), so it is exact for any logit:
 * <pre>
 *   ℓ(x, y) = −[ y·log σ(x) + (1 − y)·log(1 − σ(x)) ]
 *           = max(x, 0) − x·y + log(1 + e^(−|x|))
 *   ∂ℓ/∂x   = σ(x) − y          ∂ℓ/∂y = −x
 * </pre>
 * The second form never exponentiates a positive number, so it cannot overflow, and uses
 * log1p so small e^(−|x|) are not lost. Averaged over all elements (or summed).
 *
 * @param reduction mean (the default) or sum over the elements
 */
public record BCEWithLogitsLoss(Reduction reduction) implements Loss {
    private static final Pointwise.Term TERM = new Pointwise.Term() {
        @Override
        public double value(double x, double y) {
            return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
        }

        @Override
        public double dPrediction(double x, double y) {
            return sigmoid(x) - y;
        }

        @Override
        public double dTarget(double x, double y) {
            return -x;
        }
    };

    /** σ(x), with neither branch exponentiating a positive number. */
    private static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    public BCEWithLogitsLoss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean reduction, as PyTorch's default. */
    public BCEWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor logits, Tensor target) {
        return Pointwise.apply("BCEWithLogitsLoss", logits, target, reduction, TERM);
    }
}
