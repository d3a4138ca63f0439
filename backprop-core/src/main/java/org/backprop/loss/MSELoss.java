package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * Mean squared error, PyTorch's {@code nn.MSELoss}:
 * <pre>  L = (1/n)·Σᵢ (hᵢ − yᵢ)²        ∂L/∂hᵢ = (2/n)·(hᵢ − yᵢ)</pre>
 * over all n elements of the prediction h (with {@link Reduction#SUM}, without the 1/n).
 * Prediction and target must have the same shape.
 *
 * @param reduction mean (the default) or sum over the elements
 */
public record MSELoss(Reduction reduction) implements Loss {
    private static final Pointwise.Term TERM = new Pointwise.Term() {
        @Override
        public double value(double h, double y) {
            double d = h - y;
            return d * d;
        }

        @Override
        public double dPrediction(double h, double y) {
            return 2 * (h - y);
        }
    };

    public MSELoss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean reduction, as PyTorch's default. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return Pointwise.apply("MSELoss", prediction, target, reduction, TERM);
    }
}
