package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * Mean absolute error, PyTorch's {@code nn.L1Loss}:
 * <pre>  L = (1/n)·Σᵢ |hᵢ − yᵢ|        ∂L/∂hᵢ = (1/n)·sign(hᵢ − yᵢ)</pre>
 * with sign(0) = 0, as in PyTorch (with {@link Reduction#SUM}, without the 1/n).
 *
 * @param reduction mean (the default) or sum over the elements
 */
public record L1Loss(Reduction reduction) implements Loss {
    private static final Pointwise.Term TERM = new Pointwise.Term() {
        @Override
        public double value(double h, double y) {
            return Math.abs(h - y);
        }

        @Override
        public double dPrediction(double h, double y) {
            return Math.signum(h - y);
        }
    };

    public L1Loss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean reduction, as PyTorch's default. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return Pointwise.apply("L1Loss", prediction, target, reduction, TERM);
    }
}
