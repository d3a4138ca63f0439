package org.backprop.optim;

import java.util.List;
import org.backprop.nn.Parameter;

/**
 * Adagrad, PyTorch's {@code torch.optim.Adagrad}. With learning rate γ, learning-rate decay η,
 * weight decay λ, initial accumulator value τ, ε and the parameter's own step count t, each step
 * for gradient g<sub>t</sub> = ∇f(θ<sub>t−1</sub>) does:
 * <pre>
 *   γ̃ ← γ / (1 + (t − 1)·η)
 *   if λ ≠ 0:  g_t ← g_t + λ·θ_{t−1}
 *   s_t ← s_{t−1} + g_t²                                  (sum, s_0 = τ)
 *   θ_t ← θ_{t−1} − γ̃·g_t / (√s_t + ε)
 * </pre>
 * Each weight's step shrinks as its squared gradients add up, so often-updated weights slow
 * down first.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, lr decay {@value #DEFAULT_LR_DECAY}, weight decay
 * {@value #DEFAULT_WEIGHT_DECAY}, initial accumulator value
 * {@value #DEFAULT_INITIAL_ACCUMULATOR_VALUE}, eps {@value #DEFAULT_EPS}.
 *
 * <p>J. Duchi, E. Hazan, Y. Singer, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", JMLR 12 (2011).
 */
public final class Adagrad extends Optimizer {
    public static final double DEFAULT_LR = 1e-2;
    public static final double DEFAULT_LR_DECAY = 0;
    public static final double DEFAULT_WEIGHT_DECAY = 0;
    public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0;
    public static final double DEFAULT_EPS = 1e-10;

    /**
     * Adagrad's hyperparameters; each is checked when set. Start from {@link #defaults()}:
     * {@code Adagrad.Options.defaults().lr(0.1).lrDecay(1e-3)}.
     *
     * @param lrDecay η ≥ 0
     * @param weightDecay λ ≥ 0, an L2 penalty added to the gradient
     * @param initialAccumulatorValue τ ≥ 0
     * @param eps ε ≥ 0
     */
    public record Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        public Options {
            Check.lr(lr);
            Check.nonNegative("lr_decay", lrDecay);
            Check.nonNegative("weight_decay", weightDecay);
            Check.nonNegative("initial_accumulator_value", initialAccumulatorValue);
            Check.nonNegative("epsilon", eps);
        }

        public static Options defaults() {
            return new Options(DEFAULT_LR, DEFAULT_LR_DECAY, DEFAULT_WEIGHT_DECAY, DEFAULT_INITIAL_ACCUMULATOR_VALUE, DEFAULT_EPS);
        }

        public Options lr(double lr) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        public Options lrDecay(double lrDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        public Options weightDecay(double weightDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        public Options initialAccumulatorValue(double initialAccumulatorValue) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        public Options eps(double eps) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }
    }

    private final Options options;

    /** Adagrad with every default. */
    public Adagrad(List<Parameter> params) {
        this(params, Options.defaults());
    }

    public Adagrad(List<Parameter> params, double lr) {
        this(params, Options.defaults().lr(lr));
    }

    public Adagrad(List<Parameter> params, Options options) {
        super(params, options.lr());
        this.options = options;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("step", "sum");
    }

    @Override
    protected void update(State state, float[] w, float[] g) {
        float[] sum = state.buffer("sum", (float) options.initialAccumulatorValue());
        float clr = (float) (lr / (1 + (state.step() - 1) * options.lrDecay()));
        float e = (float) options.eps(), decay = (float) options.weightDecay();
        boolean l2 = options.weightDecay() != 0;
        for (int i = 0; i < w.length; i++) {
            float gi = l2 ? g[i] + decay * w[i] : g[i];
            float si = sum[i] + gi * gi;
            sum[i] = si;
            w[i] -= clr * (gi / ((float) Math.sqrt(si) + e));
        }
    }

    @Override
    public String toString() {
        return "Adagrad(lr=" + lr + ", lr_decay=" + options.lrDecay() + ", weight_decay=" + options.weightDecay()
                + ", initial_accumulator_value=" + options.initialAccumulatorValue() + ", eps=" + options.eps() + ")";
    }
}
