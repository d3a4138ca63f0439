package org.backprop.optim;

import java.util.List;
import org.backprop.nn.Parameter;

/**
 * Stochastic gradient descent, optionally with momentum, PyTorch's {@code torch.optim.SGD}.
 * With learning rate γ, weight decay λ, momentum μ and dampening τ, each step for gradient
 * g<sub>t</sub> = ∇f(θ<sub>t−1</sub>) does:
 * <pre>
 *   if λ ≠ 0:  g_t ← g_t + λ·θ_{t−1}
 *   if μ ≠ 0:  b_t ← μ·b_{t−1} + (1 − τ)·g_t     (b_1 ← g_1 on the parameter's first step)
 *              g_t ← g_t + μ·b_t  if Nesterov,  else  g_t ← b_t
 *   θ_t ← θ_{t−1} − γ·g_t
 * </pre>
 * The buffer b is PyTorch's {@code momentum_buffer}, kept only when μ ≠ 0. This is PyTorch's
 * form of momentum, where γ multiplies the buffer rather than the gradient inside it (Sutskever
 * et al. put γ inside), so changing γ mid-run does not rescale the accumulated velocity.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, momentum {@value #DEFAULT_MOMENTUM}, dampening
 * {@value #DEFAULT_DAMPENING}, weight decay {@value #DEFAULT_WEIGHT_DECAY}, Nesterov
 * {@value #DEFAULT_NESTEROV}.
 *
 * <p>Nesterov momentum: I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
 * initialization and momentum in deep learning", ICML 2013.
 */
public final class SGD extends Optimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_MOMENTUM = 0;
    public static final double DEFAULT_DAMPENING = 0;
    public static final double DEFAULT_WEIGHT_DECAY = 0;
    public static final boolean DEFAULT_NESTEROV = false;

    /**
     * SGD's hyperparameters; each is checked when set. Start from {@link #defaults()} and change
     * what differs: {@code SGD.Options.defaults().lr(0.1).momentum(0.9).nesterov(true)}.
     *
     * @param momentum  μ ≥ 0
     * @param dampening τ in [0, 1]
     * @param weightDecay λ ≥ 0, an L2 penalty added to the gradient
     * @param nesterov  needs μ &gt; 0 and τ = 0 (checked by the optimizer, so the order of the calls does not matter)
     */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        public Options {
            Check.lr(lr);
            Check.nonNegative("momentum", momentum);
            if (!(dampening >= 0 && dampening <= 1)) {
                throw new IllegalArgumentException("Invalid dampening value: " + dampening + " (must be in [0, 1])");
            }
            Check.nonNegative("weight_decay", weightDecay);
        }

        public static Options defaults() {
            return new Options(DEFAULT_LR, DEFAULT_MOMENTUM, DEFAULT_DAMPENING, DEFAULT_WEIGHT_DECAY, DEFAULT_NESTEROV);
        }

        public Options lr(double lr) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        public Options momentum(double momentum) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        public Options dampening(double dampening) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        public Options weightDecay(double weightDecay) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        public Options nesterov(boolean nesterov) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }
    }

    private final Options options;

    /** SGD with every default. */
    public SGD(List<Parameter> params) {
        this(params, Options.defaults());
    }

    /** Plain gradient descent, θ ← θ − γ·g. */
    public SGD(List<Parameter> params, double lr) {
        this(params, Options.defaults().lr(lr));
    }

    public SGD(List<Parameter> params, Options options) {
        super(params, options.lr());
        if (options.nesterov() && (options.momentum() <= 0 || options.dampening() != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening (momentum="
                    + options.momentum() + ", dampening=" + options.dampening() + ")");
        }
        this.options = options;
    }

    /** The rule is per parameter: its step inside the backward pass is exact (see {@link FusedStep}). */
    @Override
    protected boolean fusedByDefault() {
        return true;
    }

    @Override
    protected List<String> stateNames() {
        return options.momentum() != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    protected void update(State state, float[] w, float[] g) {
        float eta = (float) lr;
        float mu = (float) options.momentum();
        float decay = (float) options.weightDecay();
        float damp = (float) (1 - options.dampening());
        boolean momentum = options.momentum() != 0, nesterov = options.nesterov(), l2 = decay != 0;
        float[] b = state.buffer("momentum_buffer");
        boolean first = b == null;
        if (momentum && first) b = state.buffer("momentum_buffer", 0f);
        for (int i = 0; i < w.length; i++) {
            float gi = l2 ? g[i] + decay * w[i] : g[i];
            if (momentum) {
                // Flushed: with a zero gradient b decays by μ into the subnormal range (see Subnormals).
                b[i] = first ? gi : Subnormals.flush(mu * b[i] + damp * gi);
                gi = nesterov ? gi + mu * b[i] : b[i];
            }
            w[i] -= eta * gi;
        }
    }

    @Override
    public String toString() {
        return "SGD(lr=" + lr + ", momentum=" + options.momentum() + ", dampening=" + options.dampening()
                + ", weight_decay=" + options.weightDecay() + ", nesterov=" + options.nesterov() + ")";
    }
}
