package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Binary cross-entropy on probabilities, PyTorch's {@code nn.BCELoss}:
 * <pre>
 *   ℓ(h, y) = −[ y·max(log h, −100) + (1 − y)·max(log(1 − h), −100) ]
 *   ∂ℓ/∂h   = (h − y) / max(h·(1 − h), 10⁻¹²)
 * </pre>
 * averaged over all elements (or summed). As in PyTorch the logarithms are clamped at −100, so a
 * confident wrong prediction (h exactly 0 or 1) costs 100 rather than infinity, and the
 * denominator of the gradient is kept away from 0. Predictions must lie in [0, 1] (the output of
 * a sigmoid); targets are usually 0 or 1 but may be any value in between (soft labels).
 * On logits, prefer {@link BCEWithLogitsLoss}, which is more accurate.
 *
 * @param reduction mean (the default) or sum over the elements
 */
public record BCELoss(Reduction reduction) implements Loss {
    /** PyTorch's floor for log h and log(1 − h). */
    static final double LOG_FLOOR = -100;
    /** PyTorch's floor for h·(1 − h) in the gradient. */
    static final double EPSILON = 1e-12;

    private static final Pointwise.Term TERM = new Pointwise.Term() {
        @Override
        public double value(double h, double y) {
            return -(y * log(h) + (1 - y) * log(1 - h));
        }

        @Override
        public double dPrediction(double h, double y) {
            return (h - y) / Math.max(h * (1 - h), EPSILON);
        }

        @Override
        public double dTarget(double h, double y) {
            return log(1 - h) - log(h);
        }

        @Override
        public void checkPrediction(String loss, int[] shape, int flat, float h) {
            if (!(h >= 0 && h <= 1)) {
                throw new IllegalArgumentException(loss + ": prediction" + Checks.index(shape, flat) + " = " + h
                        + " is not a probability in [0, 1] (prediction shape " + Shape.str(shape)
                        + "); apply a sigmoid first, or use BCEWithLogitsLoss on the logits");
            }
        }
    };

    private static double log(double p) {
        return Math.max(Math.log(p), LOG_FLOOR);
    }

    public BCELoss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean reduction, as PyTorch's default. */
    public BCELoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return Pointwise.apply("BCELoss", prediction, target, reduction, TERM);
    }
}
