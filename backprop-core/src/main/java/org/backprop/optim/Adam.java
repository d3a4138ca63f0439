package org.backprop.optim;

import java.util.List;
import org.backprop.kernel.AdamLoop;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Parallel;
import org.backprop.nn.Parameter;

/**
 * Adam, PyTorch's {@code torch.optim.Adam}. With learning rate γ, betas β₁ and β₂, ε, weight
 * decay λ (an L2 penalty added to the gradient) and the parameter's own step count t, each step
 * for gradient g<sub>t</sub> = ∇f(θ<sub>t−1</sub>) does:
 * <pre>
 *   if λ ≠ 0:  g_t ← g_t + λ·θ_{t−1}
 *   m_t ← β₁·m_{t−1} + (1 − β₁)·g_t                      (exp_avg)
 *   v_t ← β₂·v_{t−1} + (1 − β₂)·g_t²                     (exp_avg_sq)
 *   m̂_t ← m_t / (1 − β₁^t)
 *   if amsgrad:  v_t^max ← max(v_{t−1}^max, v_t)          (max_exp_avg_sq)
 *                v̂_t ← v_t^max / (1 − β₂^t)
 *   else:        v̂_t ← v_t / (1 − β₂^t)
 *   θ_t ← θ_{t−1} − γ·m̂_t / (√v̂_t + ε)
 * </pre>
 * m, v and v^max start at 0. The last line is computed as
 * θ − (m_t / (√v_t + ε·√(1 − β₂^t)))·(γ·√(1 − β₂^t) / (1 − β₁^t)), in float32 element by element:
 * PyTorch's θ − (γ / (1 − β₁^t))·m_t / (√v_t / √(1 − β₂^t) + ε) with one division fewer.
 * With a constant gradient every step moves each weight by almost exactly γ against the sign
 * of its gradient, which is what makes γ a step size.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, betas ({@value #DEFAULT_BETA1}, {@value #DEFAULT_BETA2}),
 * eps {@value #DEFAULT_EPS}, weight decay {@value #DEFAULT_WEIGHT_DECAY}, amsgrad
 * {@value #DEFAULT_AMSGRAD}.
 *
 * <p>D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; AMSGrad:
 * S. J. Reddi, S. Kale, S. Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
 * For decoupled weight decay use {@link AdamW}.
 */
public final class Adam extends Optimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0;
    public static final boolean DEFAULT_AMSGRAD = false;

    /**
     * Adam's hyperparameters; each is checked when set. Start from {@link #defaults()}:
     * {@code Adam.Options.defaults().lr(3e-4).amsgrad(true)}.
     *
     * @param beta1 β₁ in [0, 1)
     * @param beta2 β₂ in [0, 1)
     * @param eps ε ≥ 0
     * @param weightDecay λ ≥ 0
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

    /** Adam with every default. */
    public Adam(List<Parameter> params) {
        this(params, Options.defaults());
    }

    public Adam(List<Parameter> params, double lr) {
        this(params, Options.defaults().lr(lr));
    }

    public Adam(List<Parameter> params, Options options) {
        super(params, options.lr());
        this.options = options;
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
        return stateNames(options.amsgrad());
    }

    static List<String> stateNames(boolean amsgrad) {
        return amsgrad ? List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("step", "exp_avg", "exp_avg_sq");
    }

    @Override
    protected void update(State state, float[] w, float[] g) {
        step(state, w, g, lr, options.beta1(), options.beta2(), options.eps(), options.weightDecay(), 0, options.amsgrad());
    }

    /** The kernel checks the weights as it writes them: no second pass over them. */
    @Override
    boolean updateChecked(int index, State state, float[] w, float[] g, float[][] outer) {
        return step(state, w, g, outer, gradScale(), lr, options.beta1(), options.beta2(), options.eps(), options.weightDecay(), 0,
                options.amsgrad());
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

    /**
     * One Adam or AdamW update of one parameter, in a single pass: {@code l2} is Adam's weight
     * decay (added to the gradient), {@code decoupled} AdamW's (θ ← θ·(1 − γλ) first). Returns
     * whether every weight it wrote is finite.
     */
    static boolean step(State state, float[] w, float[] g, double lr, double beta1, double beta2, double eps,
            double l2, double decoupled, boolean amsgrad) {
        return step(state, w, g, null, 1f, lr, beta1, beta2, eps, l2, decoupled, amsgrad);
    }

    /**
     * {@link #step}, with the gradient given either whole ({@code g}) or, when {@code outer} is
     * not null, as the factors {a, b} of the rank-1 product a·bᵀ (w is [a.length, b.length]),
     * formed a row at a time as the product kernel forms it (the same bits) and never stored
     * (see {@link FusedStep}), each element multiplied by {@code gradScale} as it is read
     * ({@link Optimizer#step(float)}; the same bits as scaling the gradient first).
     */
    static boolean step(State state, float[] w, float[] g, float[][] outer, float gradScale, double lr, double beta1, double beta2, double eps,
            double l2, double decoupled, boolean amsgrad) {
        float[] m = state.buffer("exp_avg", 0f);
        float[] v = state.buffer("exp_avg_sq", 0f);
        float[] vMax = amsgrad ? state.buffer("max_exp_avg_sq", 0f) : null;
        long t = state.step();
        // Scalars in double, as PyTorch computes them in Python, then used as float32 like its kernels.
        // PyTorch divides by (√v / √(1 − β₂ᵗ) + ε); multiplying that and γ/(1 − β₁ᵗ) by √(1 − β₂ᵗ)
        // gives the same update with one division an element fewer (a square root and a division
        // are the loop's slowest operations), within an ulp or two of PyTorch's float32 result.
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        AdamLoop.Constants k = new AdamLoop.Constants((float) (lr * bc2Sqrt / biasCorrection1), (float) beta1,
                (float) beta2, (float) (1 - beta1), (float) (1 - beta2), (float) (eps * bc2Sqrt), (float) l2,
                (float) (1 - lr * decoupled), l2 != 0, decoupled != 0, amsgrad, gradScale);
        // Elementwise, so a large parameter is split over the kernel threads with the same result.
        int n = outer == null ? w.length : outer[0].length, cols = outer == null ? 1 : outer[1].length;
        long min = Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / cols);
        int parts = Parallel.parts(n, min);
        if (parts == 1) return outer == null ? apply(k, w, g, 0, m, v, vMax, 0, n) : applyOuter(k, w, outer, m, v, vMax, 0, n);
        boolean[] bad = new boolean[parts];
        // Two call sites, so the split choice learns rows of a rank-1 update apart from elements.
        if (outer == null) Parallel.forRange(n, min, (part, from, to) -> bad[part] = !apply(k, w, g, 0, m, v, vMax, from, to));
        else Parallel.forRange(n, min, (part, from, to) -> bad[part] = !applyOuter(k, w, outer, m, v, vMax, from, to));
        for (boolean b : bad) if (b) return false;
        return true;
    }

    /** A per-thread row tail of a rank-1 gradient, in L1 while the update reads it. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Rows [from, to) of w from the rank-1 gradient a·bᵀ: the vector loop forms each element in
     * the register as the product kernel forms it (the same bits) and updates the rows' whole
     * vectors; a row's tail is formed by the product kernel into a buffer and finished here.
     */
    private static boolean applyOuter(AdamLoop.Constants k, float[] w, float[][] outer, float[] m, float[] v, float[] vMax,
            int from, int to) {
        float[] a = outer[0], b = outer[1];
        int cols = b.length;
        int end = AdamLoop.outerVectors(k, w, a, b, m, v, vMax, from, to);
        boolean finite = end >= 0;
        if (!finite) end = -1 - end;
        if (end == cols) return finite;
        float[] row = ROW.get();
        if (row.length < cols) ROW.set(row = new float[cols]);
        for (int i = from; i < to; i++) {
            Gemm.outerRow(a[i], b, end, cols - end, row, 0);
            finite &= applyScalar(k, w, row, i * cols + end, m, v, vMax, i * cols + end, (i + 1) * cols);
        }
        return finite;
    }

    /**
     * The update of elements [from, to), element i from g[i − gShift]: whole vectors in the kernel
     * (same bits as the loop here), then the rest; whether every weight written is finite.
     */
    private static boolean apply(AdamLoop.Constants k, float[] w, float[] g, int gShift, float[] m, float[] v, float[] vMax,
            int from, int to) {
        int end = AdamLoop.vectors(k, w, g, gShift, m, v, vMax, from, to);
        boolean finite = end >= 0;
        return applyScalar(k, w, g, gShift, m, v, vMax, finite ? end : -1 - end, to) && finite;
    }

    /** The rule one element at a time: the statement of the arithmetic, the tail and the scalar path. */
    private static boolean applyScalar(AdamLoop.Constants k, float[] w, float[] g, int gShift, float[] m, float[] v,
            float[] vMax, int from, int to) {
        // Locals, so the loop reads no field.
        float stepSize = k.stepSize(), b1 = k.b1(), b2 = k.b2(), c1 = k.c1(), c2 = k.c2();
        float e = k.eps(), decay = k.decay(), shrink = k.shrink();
        boolean hasL2 = k.hasL2(), hasDecoupled = k.hasDecoupled(), amsgrad = k.amsgrad(), scaled = k.scaled();
        float scale = k.gradScale();
        boolean flush = e > 0; // with ε = 0 a flushed v could divide by 0 (see Subnormals)
        float check = 0f; // w·0 is 0 for a finite w, NaN otherwise
        for (int i = from; i < to; i++) {
            float wi = w[i];
            float gi = scaled ? g[i - gShift] * scale : g[i - gShift];
            if (hasL2) gi = gi + decay * wi;
            if (hasDecoupled) wi *= shrink;
            // Flushed: with a zero gradient m decays by β₁ into the subnormal range (see Subnormals).
            float mi = Subnormals.flushIf(flush, b1 * m[i] + c1 * gi);
            float vi = b2 * v[i] + c2 * (gi * gi);
            if (flush) vi = Subnormals.flushNonNegative(vi);
            m[i] = mi;
            v[i] = vi;
            if (amsgrad) vi = vMax[i] = Math.max(vMax[i], vi);
            float out = wi - (mi / ((float) Math.sqrt(vi) + e)) * stepSize;
            w[i] = out;
            check += out * 0f;
        }
        return check == 0f;
    }

    @Override
    public String toString() {
        return "Adam(lr=" + lr + ", betas=(" + options.beta1() + ", " + options.beta2() + "), eps=" + options.eps()
                + ", weight_decay=" + options.weightDecay() + ", amsgrad=" + options.amsgrad() + ")";
    }
}
