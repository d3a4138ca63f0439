package org.backprop.optim;

import java.util.ArrayList;
import java.util.List;
import org.backprop.nn.Parameter;

/**
 * RMSprop, PyTorch's {@code torch.optim.RMSprop}. With learning rate γ, smoothing constant α, ε,
 * weight decay λ and momentum μ, each step for gradient g<sub>t</sub> = ∇f(θ<sub>t−1</sub>) does:
 * <pre>
 *   if λ ≠ 0:  g_t ← g_t + λ·θ_{t−1}
 *   v_t ← α·v_{t−1} + (1 − α)·g_t²                        (square_avg)
 *   ṽ_t ← v_t
 *   if centered:  ḡ_t ← α·ḡ_{t−1} + (1 − α)·g_t            (grad_avg)
 *                 ṽ_t ← ṽ_t − ḡ_t²
 *   if μ &gt; 0:     b_t ← μ·b_{t−1} + g_t / (√ṽ_t + ε)       (momentum_buffer)
 *                 θ_t ← θ_{t−1} − γ·b_t
 *   else:         θ_t ← θ_{t−1} − γ·g_t / (√ṽ_t + ε)
 * </pre>
 * v, ḡ and b start at 0. ε is added after the square root (TensorFlow adds it inside). In the
 * centered form v_t − ḡ_t² is a weighted variance and never negative in exact arithmetic; float
 * rounding can make it a hair below zero when the gradient barely varies, where PyTorch would
 * take the square root of a negative number and produce NaN. Here it is clamped to 0 first.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, alpha {@value #DEFAULT_ALPHA}, eps {@value #DEFAULT_EPS},
 * weight decay {@value #DEFAULT_WEIGHT_DECAY}, momentum {@value #DEFAULT_MOMENTUM}, centered
 * {@value #DEFAULT_CENTERED}.
 *
 * <p>G. Hinton, Neural Networks for Machine Learning, lecture 6e (2012); the centered form:
 * A. Graves, "Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850 (2013).
 */
public final class RMSprop extends Optimizer {
    public static final double DEFAULT_LR = 1e-2;
    public static final double DEFAULT_ALPHA = 0.99;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0;
    public static final double DEFAULT_MOMENTUM = 0;
    public static final boolean DEFAULT_CENTERED = false;

    /**
     * RMSprop's hyperparameters; each is checked when set. Start from {@link #defaults()}:
     * {@code RMSprop.Options.defaults().lr(1e-3).centered(true)}.
     *
     * @param alpha α in [0, 1)
     * @param eps ε ≥ 0
     * @param weightDecay λ ≥ 0, an L2 penalty added to the gradient
     * @param momentum μ ≥ 0
     */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        public Options {
            Check.lr(lr);
            Check.unitInterval("alpha value", alpha);
            Check.nonNegative("epsilon", eps);
            Check.nonNegative("weight_decay", weightDecay);
            Check.nonNegative("momentum", momentum);
        }

        public static Options defaults() {
            return new Options(DEFAULT_LR, DEFAULT_ALPHA, DEFAULT_EPS, DEFAULT_WEIGHT_DECAY, DEFAULT_MOMENTUM, DEFAULT_CENTERED);
        }

        public Options lr(double lr) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        public Options alpha(double alpha) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        public Options eps(double eps) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        public Options weightDecay(double weightDecay) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        public Options momentum(double momentum) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }

        public Options centered(boolean centered) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered);
        }
    }

    private final Options options;

    /** RMSprop with every default. */
    public RMSprop(List<Parameter> params) {
        this(params, Options.defaults());
    }

    public RMSprop(List<Parameter> params, double lr) {
        this(params, Options.defaults().lr(lr));
    }

    public RMSprop(List<Parameter> params, Options options) {
        super(params, options.lr());
        this.options = options;
    }

    @Override
    protected List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of("step", "square_avg"));
        if (options.momentum() > 0) names.add("momentum_buffer");
        if (options.centered()) names.add("grad_avg");
        return names;
    }

    @Override
    protected void update(State state, float[] w, float[] g) {
        boolean hasMomentum = options.momentum() > 0, centered = options.centered(), l2 = options.weightDecay() != 0;
        float[] v = state.buffer("square_avg", 0f);
        float[] b = hasMomentum ? state.buffer("momentum_buffer", 0f) : null;
        float[] gAvg = centered ? state.buffer("grad_avg", 0f) : null;
        float eta = (float) lr, a = (float) options.alpha(), c = (float) (1 - options.alpha());
        float e = (float) options.eps(), decay = (float) options.weightDecay(), mu = (float) options.momentum();
        boolean flush = e > 0;
        for (int i = 0; i < w.length; i++) {
            float gi = l2 ? g[i] + decay * w[i] : g[i];
            // Flushed as in Adam (see Subnormals); v only when ε > 0, as it divides.
            float vi = Subnormals.flushIf(flush, a * v[i] + c * (gi * gi));
            v[i] = vi;
            if (centered) {
                float gm = Subnormals.flush(a * gAvg[i] + c * gi);
                gAvg[i] = gm;
                vi = Math.max(0f, vi - gm * gm);
            }
            float denom = (float) Math.sqrt(vi) + e;
            if (hasMomentum) {
                b[i] = Subnormals.flush(mu * b[i] + gi / denom);
                w[i] -= eta * b[i];
            } else {
                w[i] -= eta * (gi / denom);
            }
        }
    }

    @Override
    public String toString() {
        return "RMSprop(lr=" + lr + ", alpha=" + options.alpha() + ", eps=" + options.eps() + ", weight_decay="
                + options.weightDecay() + ", momentum=" + options.momentum() + ", centered=" + options.centered() + ")";
    }
}
