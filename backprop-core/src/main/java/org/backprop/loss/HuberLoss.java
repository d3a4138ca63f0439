package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * Huber loss, PyTorch's {@code nn.HuberLoss}: quadratic for small errors, linear for large ones,
 * so outliers pull with a bounded force. With d = h − y and threshold δ &gt; 0:
 * <pre>
 *   ℓ(d) = ½·d²              if |d| &lt; δ
 *          δ·(|d| − ½·δ)     otherwise
 *   ∂ℓ/∂h = d if |d| &lt; δ, else δ·sign(d)
 * </pre>
 * averaged over all elements (or summed). The two pieces and their slopes meet at |d| = δ.
 *
 * @param delta     the threshold δ (default 1.0); must be positive and finite
 * @param reduction mean (the default) or sum over the elements
 */
public record HuberLoss(double delta, Reduction reduction) implements Loss {
    public HuberLoss {
        Objects.requireNonNull(reduction, "reduction");
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive and finite, got " + delta);
        }
    }

    /** δ = 1 and mean reduction, PyTorch's defaults. */
    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }

    public HuberLoss(double delta) {
        this(delta, Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        double delta = this.delta;
        return Pointwise.apply("HuberLoss", prediction, target, reduction, new Pointwise.Term() {
            @Override
            public double value(double h, double y) {
                double a = Math.abs(h - y);
                return a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
            }

            @Override
            public double dPrediction(double h, double y) {
                double d = h - y;
                return Math.abs(d) < delta ? d : delta * Math.signum(d);
            }
        });
    }
}
