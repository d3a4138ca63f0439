package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * The textbook backpropagation loss ½(y − h)², averaged over all n elements:
 * <pre>  L = (1/n)·Σᵢ ½(yᵢ − hᵢ)²        ∂L/∂hᵢ = (1/n)·(hᵢ − yᵢ)</pre>
 * The ½ cancels the 2 of the derivative, so the output error is simply h − y; the value is half
 * of {@link MSELoss}. With a single output and a batch of one this is exactly the E = ½(y − h)²
 * of the classic derivations; {@link Reduction#SUM} gives Σᵢ ½(yᵢ − hᵢ)² instead.
 *
 * @param reduction mean (the default) or sum over the elements
 */
public record HalfSquaredError(Reduction reduction) implements Loss {
    private static final Pointwise.Term TERM = new Pointwise.Term() {
        @Override
        public double value(double h, double y) {
            double d = h - y;
            return 0.5 * d * d;
        }

        @Override
        public double dPrediction(double h, double y) {
            return h - y;
        }
    };

    public HalfSquaredError {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean over all elements. */
    public HalfSquaredError() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return Pointwise.apply("HalfSquaredError", prediction, target, reduction, TERM);
    }
}
