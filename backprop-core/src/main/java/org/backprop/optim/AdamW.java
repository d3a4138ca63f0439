package org.backprop.optim;

import java.util.List;
import org.backprop.nn.Parameter;

/**
 * AdamW, PyTorch's {@code torch.optim.AdamW}: Adam with decoupled weight decay, which shrinks
 * the weights directly instead of adding λθ to the gradient (where Adam's normalisation would
 * scale it away). With learning rate γ, betas β₁ and β₂, ε, weight decay λ and the parameter's
 * own step count t, each step for gradient g<sub>t</sub> = ∇f(θ<sub>t−1</sub>) does:
 * <pre>
 *   θ_t ← θ_{t−1} − γ·λ·θ_{t−1}
 *   m_t ← β₁·m_{t−1} + (1 − β₁)·g_t                      (exp_avg)
 *   v_t ← β₂·v_{t−1} + (1 − β₂)·g_t²                     (exp_avg_sq)
 *   m̂_t ← m_t / (1 − β₁^t)
 *   if amsgrad:  v_t^max ← max(v_{t−1}^max, v_t)          (max_exp_avg_sq)
 *                v̂_t ← v_t^max / (1 − β₂^t)
 *   else:        v̂_t ← v_t / (1 − β₂^t)
 *   θ_t ← θ_t − γ·m̂_t / (√v̂_t + ε)
 * </pre>
 * m, v and v^max start at 0; the arithmetic is Adam's (see {@link Adam}). The decay is
 * multiplied by the current γ, so a schedule that lowers γ lowers the decay too, as in PyTorch.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, betas ({@value #DEFAULT_BETA1}, {@value #DEFAULT_BETA2}),
 * eps {@value #DEFAULT_EPS}, weight decay {@value #DEFAULT_WEIGHT_DECAY}, amsgrad
 * {@value #DEFAULT_AMSGRAD}.
 *
 * <p>I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 */
public final class AdamW extends Optimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;
    public static final boolean DEFAULT_AMSGRAD = false;

    /**
     * AdamW's hyperparameters; each is checked when set. Start from {@link #defaults()}:
     * {@code AdamW.Options.defaults().lr(3e-4).weightDecay(0.1)}.
     *
     * @param beta1 β₁ in [0, 1)
     * @param beta2 β₂ in [0, 1)
     * @param eps ε ≥ 0
     * @param weightDecay λ ≥ 0, decoupled
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        public Options {
            Check.lr(lr);
            Check.unitInterval("beta parameter at index 0", beta1);
            Check.unitInterval("beta parameter at index 1", beta2);
            Check.nonNegative("epsilon", eps);
            Check.nonNegative("weight_decay", weightDecay);
        }

        public static Options defaults() {
            return new Options(DEFAULT_LR, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, DEFAULT_WEIGHT_DECAY, DEFAULT_AMSGRAD);
        }

        public Options lr(double lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Options betas(double beta1, double beta2) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Options eps(double eps) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Options weightDecay(double weightDecay) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Options amsgrad(boolean amsgrad) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    private final Options options;

    /** AdamW with every default. */
    public AdamW(List<Parameter> params) {
        this(params, Options.defaults());
    }

    public AdamW(List<Parameter> params, double lr) {
        this(params, Options.defaults().lr(lr));
    }

    public AdamW(List<Parameter> params, Options options) {
        super(params, options.lr());
        this.options = options;
    }

    @Override
    protected List<String> stateNames() {
        return Adam.stateNames(options.amsgrad());
    }

    @Override
    protected void update(State state, float[] w, float[] g) {
        Adam.step(state, w, g, lr, options.beta1(), options.beta2(), options.eps(), 0, options.weightDecay(), options.amsgrad());
    }

    @Override
    public String toString() {
        return "AdamW(lr=" + lr + ", betas=(" + options.beta1() + ", " + options.beta2() + "), eps=" + options.eps()
                + ", weight_decay=" + options.weightDecay() + ", amsgrad=" + options.amsgrad() + ")";
    }
}
