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
 * <p>Defaults: Adam's ({@link Adam.Options#defaults()}: lr {@value Adam#DEFAULT_LR}, betas
 * ({@value Adam#DEFAULT_BETA1}, {@value Adam#DEFAULT_BETA2}), eps {@value Adam#DEFAULT_EPS},
 * amsgrad {@value Adam#DEFAULT_AMSGRAD}) but weight decay {@value #DEFAULT_WEIGHT_DECAY}, here
 * decoupled. The hyperparameters are {@link Adam.Options}; only the meaning of weightDecay differs.
 *
 * <p>I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 */
public final class AdamW extends Optimizer {
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    /**
     * AdamW's defaults: Adam's with weight decay {@value #DEFAULT_WEIGHT_DECAY}. For example
     * {@code AdamW.defaults().lr(3e-4).weightDecay(0.1)}.
     */
    public static Adam.Options defaults() {
        return Adam.Options.defaults().weightDecay(DEFAULT_WEIGHT_DECAY);
    }

    private final Adam.Options options;
    /** Per parameter: whether weight decay applies (all true without groups). */
    private final boolean[] decays;

    /** AdamW with every default. */
    public AdamW(List<Parameter> params) {
        this(params, defaults());
    }

    public AdamW(List<Parameter> params, double lr) {
        this(params, defaults().lr(lr));
    }

    /** @param options Adams hyperparameters, with weightDecay read as decoupled decay */
    public AdamW(List<Parameter> params, Adam.Options options) {
        super(params, options.lr());
        this.options = options;
        this.decays = new boolean[params.size()];
        java.util.Arrays.fill(decays, true);
    }

    /**
     * Two parameter groups with the same options, as PyTorch's
     * {@code AdamW([dict(params=decay), dict(params=noDecay, weight_decay=0)])}: weight decay
     * applies to {@code decay} only. The parameters are numbered decay first, then noDecay (the
     * indices of {@link #stateDict()}, as in PyTorch's).
     */
    public AdamW(List<Parameter> decay, List<Parameter> noDecay, Adam.Options options) {
        super(concat(decay, noDecay), options.lr());
        this.options = options;
        this.decays = new boolean[decay.size() + noDecay.size()];
        java.util.Arrays.fill(decays, 0, decay.size(), true);
    }

    /**
     * nanoGPT's grouping: weight decay on the tensors of two or more axes (matrices and
     * embeddings), none on biases and LayerNorm parameters.
     */
    public static AdamW decayingMatricesOnly(List<Parameter> params, Adam.Options options) {
        List<Parameter> decay = params.stream().filter(p -> p.shape().length >= 2).toList();
        List<Parameter> rest = params.stream().filter(p -> p.shape().length < 2).toList();
        return new AdamW(decay, rest, options);
    }

    private static List<Parameter> concat(List<Parameter> a, List<Parameter> b) {
        List<Parameter> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Whether weight decay applies to parameter {@code index}. */
    public boolean decays(int index) {
        return decays[index];
    }

    /** The rule is per parameter: its step inside the backward pass is exact (see {@link FusedStep}). */
    @Override
    protected boolean fusedByDefault() {
        return true;
    }

    /** Each update reads only its parameter, gradient and state: a step splits over the parameters. */
    @Override
    protected boolean updatesIndependent() {
        return true;
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
    protected void update(int index, State state, float[] w, float[] g) {
        updateChecked(index, state, w, g, null);
    }

    /** The kernel checks the weights as it writes them: no second pass over them. */
    @Override
    boolean updateChecked(int index, State state, float[] w, float[] g, float[][] outer) {
        return Adam.step(state, w, g, outer, gradScale(), lr, options.beta1(), options.beta2(), options.eps(), 0,
                decays[index] ? options.weightDecay() : 0, options.amsgrad());
    }

    @Override
    boolean takesOuterGradients() {
        return true;
    }

    /** The kernel multiplies each gradient element by the step's scale as it reads it. */
    @Override
    boolean foldsGradScale() {
        return true;
    }

    @Override
    public String toString() {
        return "AdamW(lr=" + lr + ", betas=(" + options.beta1() + ", " + options.beta2() + "), eps=" + options.eps()
                + ", weight_decay=" + options.weightDecay() + ", amsgrad=" + options.amsgrad() + ")";
    }
}
