package org.backprop.optim;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.backprop.autograd.GradMode;
import org.backprop.kernel.Vec;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Updates parameters from their gradients. Call order per step, as in PyTorch:
 * {@code optimizer.zeroGrad(); loss.backward(); optimizer.step();}.
 *
 * <p>Subclasses implement {@link #update}, the rule for one parameter. State per parameter
 * (step count, momentum buffers, moment estimates) lives in the optimizer, never in the layer,
 * under PyTorch's names ({@code step}, {@code exp_avg}, {@code momentum_buffer}, ...). A
 * parameter's state is created on the first step in which it has a gradient, and its own step
 * count advances only in steps where it has one, as in PyTorch.
 *
 * <h2>Checkpoints</h2>
 * {@link #stateDict()} returns copies of that state as tensors: {@code "step"} (the optimizer's
 * {@link #stepCount()}, shape [1]) and, for every parameter {@code i} that has state,
 * {@code "state.i.NAME"} for each name in {@link #stateNames()} ({@code step} as shape [1], the
 * buffers in the parameter's shape). {@link #loadStateDict} restores it, so that save, load and
 * continue gives exactly the weights of an uninterrupted run. Hyperparameters, including the
 * learning rate, are not part of it: rebuild the optimizer with the same options (a schedule sets
 * the learning rate again).
 */
public abstract class Optimizer {
    /** Largest step count a float32 tensor holds exactly (2^24); the checkpoint refuses more. */
    static final long MAX_EXACT_STEP = 1L << 24;

    protected final List<Parameter> params;
    protected double lr;
    private long steps;
    private final State[] states;
    private int nonFinite = -1;
    private boolean fused = fusedByDefault();
    private double maxGradNorm;
    private boolean skippedNonFinite;
    private Map<Tensor, Integer> indexByTensor;
    /** The factor {@link #step(float)} applies to every gradient in the step under way (1: none). */
    private float gradScale = 1f;

    protected Optimizer(List<Parameter> params, double lr) {
        if (params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        Check.lr(lr);
        // The same parameter twice would be updated twice per step (and its state kept twice).
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < params.size(); i++) {
            if (!seen.add(params.get(i))) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i
                        + " appears more than once in the parameter list");
            }
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.states = new State[params.size()];
    }

    /** Sets every parameter's gradient to zero. */
    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        nonFinite = -1;
        skippedNonFinite = false;
        try (var s = GradMode.noGrad()) {
            if (updatesIndependent()) {
                boolean[] bad = new boolean[params.size()];
                ParameterSplit.forEach(params, i -> bad[i] = !updateFinite(i, null));
                for (int i = 0; i < bad.length && nonFinite < 0; i++) if (bad[i]) nonFinite = i;
                return;
            }
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).grad() != null) updateOne(i, null);
            }
        }
    }

    /**
     * {@link #step()} with every gradient multiplied by {@code gradScale} first (a clipping
     * coefficient, {@link GradClip#clipCoefficient}): the bits of {@code g ← g·gradScale} in float32
     * then {@code step()}. Adam and AdamW multiply each element as they read it and leave the
     * gradients as they are (no pass over them); other rules scale each gradient in place just
     * before its update, while it is in cache.
     */
    public final void step(float gradScale) {
        this.gradScale = gradScale;
        try {
            step();
        } finally {
            this.gradScale = 1f;
        }
    }

    /** The gradient factor of the step under way ({@link #step(float)}), 1 outside one. */
    final float gradScale() {
        return gradScale;
    }

    /** Whether {@link #updateChecked} multiplies each gradient element by {@link #gradScale()} itself. */
    boolean foldsGradScale() {
        return false;
    }

    /**
     * Whether {@link #update} of different parameters may run at once on the kernel threads (it
     * touches only that parameter and its state): {@link #step()} then runs as one parallel region.
     */
    protected boolean updatesIndependent() {
        return false;
    }

    /** Updates parameter i (from a rank-1 gradient's factors when outer is not null); whether its values are all finite afterwards. */
    private boolean updateFinite(int i, float[][] outer) {
        Parameter p = params.get(i);
        State state = states[i];
        if (state == null) state = states[i] = new State(p.numel());
        state.step++;
        float[] g = outer == null ? p.grad().array() : null;
        if (gradScale != 1f && !foldsGradScale()) { // never fused (outer is null): step(float) runs step()
            float c = gradScale;
            for (int k = 0; k < g.length; k++) g[k] *= c;
        }
        return updateChecked(i, state, p.data(), g, outer);
    }

    /**
     * {@link #update(int, State, float[], float[])}, then whether {@code w} is all finite (an
     * overflowed update): one vector pass over the values just written, still in cache. Rules whose
     * kernel checks the values as it writes them override this to skip the pass; rules that
     * {@link #takesOuterGradients} take the gradient as the factors {@code outer} = {a, b} of a·bᵀ
     * instead of {@code g} when {@code outer} is not null.
     */
    boolean updateChecked(int index, State state, float[] w, float[] g, float[][] outer) {
        update(index, state, w, g);
        return Vec.allFiniteParallel(w);
    }

    /** Whether {@link #updateChecked} takes a rank-1 gradient as its factors (the fused step then never writes it). */
    boolean takesOuterGradients() {
        return false;
    }

    // ---------------------------------------------------------------- fused step (FusedStep)

    /** Whether {@link #backwardAndStep} updates each parameter inside the backward pass. */
    public boolean fused() {
        return fused;
    }

    /**
     * Turns the fused step of {@link #backwardAndStep} on or off. It is on by default for rules
     * that are exactly equal to the unfused path ({@link #fusedByDefault()}).
     */
    public Optimizer fused(boolean on) {
        this.fused = on;
        return this;
    }

    /**
     * Clips the global gradient norm to {@code maxNorm} in every {@link #backwardAndStep} (as
     * {@link GradClip#clipGradNorm}); 0 turns clipping off. The norm needs every gradient before
     * any update, so with clipping on {@code backwardAndStep} takes the unfused path.
     */
    public Optimizer clipGradNorm(double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: max norm must be ≥ 0, found " + maxNorm);
        this.maxGradNorm = maxNorm;
        return this;
    }

    /** Whether this rule's fused step is bit-identical to zeroGrad, backward, step (per-parameter rules are). */
    protected boolean fusedByDefault() {
        return false;
    }

    /**
     * One training step from a scalar loss: the same weights and state, bit for bit, as
     * {@code loss.backward(); [clip;] step(); zeroGrad();}, and the gradients are zero on return
     * (so no zeroGrad is needed before the next call). See {@link FusedStep}.
     */
    public final void backwardAndStep(Tensor loss) {
        FusedStep.run(this, loss, fused && maxGradNorm == 0, maxGradNorm);
    }

    /** The parameter index of each parameter's tensor, for the fused step's hook. */
    final Map<Tensor, Integer> indexByTensor() {
        if (indexByTensor == null) {
            Map<Tensor, Integer> m = new IdentityHashMap<>();
            for (int i = 0; i < params.size(); i++) m.put(params.get(i).value(), i);
            indexByTensor = m;
        }
        return indexByTensor;
    }

    /** Starts a step: advances the step count (the fused path then updates parameters one by one). */
    final void beginStep() {
        steps++;
        nonFinite = -1;
        skippedNonFinite = false;
    }

    /** Records that the fused step left a non-finite gradient unapplied. */
    final void skipNonFinite() {
        skippedNonFinite = true;
    }

    /**
     * Whether the last fused {@link #backwardAndStep} met a NaN or infinite gradient: that
     * parameter was neither updated nor zeroed (its gradient still shows the bad values), so a
     * training loop can name it and stop before it reaches the weights.
     */
    public boolean skippedNonFiniteGradient() {
        return skippedNonFinite;
    }

    /**
     * Updates parameter {@code i} from its gradient (which must exist), or from the factors of a
     * rank-1 gradient when {@code outer} is not null (see {@link #takesOuterGradients}), inside a
     * step begun by {@link #beginStep}.
     */
    final void updateOne(int i, float[][] outer) {
        if (!updateFinite(i, outer) && nonFinite < 0) nonFinite = i;
    }

    /**
     * The update rule for one parameter: change {@code w} in place from gradient {@code g}.
     * {@code state.step()} is already advanced (1 on this parameter's first update).
     */
    protected abstract void update(State state, float[] w, float[] g);

    /**
     * The update of parameter {@code index} (its place in {@link #parameters()}); rules whose
     * options differ between groups of parameters override this one.
     */
    protected void update(int index, State state, float[] w, float[] g) {
        update(state, w, g);
    }

    /**
     * The names of the per-parameter state this optimizer keeps with its options, as PyTorch
     * names them ({@code step} first when kept): these are the keys {@link #stateDict()} writes
     * and {@link #loadStateDict} requires for each parameter that has state.
     */
    protected abstract List<String> stateNames();

    /**
     * The index of the first parameter the last {@link #step} left holding a NaN or an infinity,
     * or -1 when every value is finite.
     */
    public int nonFiniteParameter() {
        return nonFinite;
    }

    /** Steps taken so far. */
    public long stepCount() {
        return steps;
    }

    /** The current learning rate. */
    public double lr() {
        return lr;
    }

    /** Changes the learning rate (schedules call this between steps). */
    public void setLr(double lr) {
        Check.lr(lr);
        this.lr = lr;
    }

    public List<Parameter> parameters() {
        return params;
    }

    // ---------------------------------------------------------------- checkpoints

    /** A copy of the optimizer's state (see the class comment for the keys). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", StepKeys.stepTensor("step", steps));
        List<String> names = stateNames();
        for (int i = 0; i < states.length; i++) {
            State s = states[i];
            if (s == null) continue;
            for (String name : names) {
                String key = "state." + i + "." + name;
                if (name.equals("step")) {
                    out.put(key, StepKeys.stepTensor(key, s.step));
                } else {
                    float[] buf = s.buffers.get(name);
                    if (buf == null) {
                        throw new IllegalStateException(getClass().getSimpleName() + " declares state '" + name
                                + "' but its rule never created it for parameter " + i);
                    }
                    out.put(key, Tensor.of(buf, params.get(i).shape()));
                }
            }
        }
        return out;
    }

    /**
     * Restores state saved by {@link #stateDict()} of an optimizer of the same kind and options
     * over parameters of the same shapes. Every key is checked before anything changes: a
     * missing {@code "step"}, a parameter with some but not all of its state, an unknown key or
     * a wrong shape is an {@link IllegalArgumentException} naming the key, and this optimizer is
     * left as it was. Parameters with no {@code "state.i.*"} keys get no state (they start afresh
     * on their next update, as a parameter that never had a gradient).
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        List<String> names = stateNames();
        String where = "loadStateDict (" + getClass().getSimpleName() + "): ";
        Tensor globalStep = state.get("step");
        if (globalStep == null) throw new IllegalArgumentException(where + "missing key 'step'");
        long newSteps = StepKeys.readStep(where, "step", globalStep);

        State[] loaded = new State[states.length];
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            if (key.equals("step")) continue;
            int index = StepKeys.parseIndex(key);
            String name = index < 0 ? null : key.substring(key.indexOf('.', 6) + 1);
            if (index < 0 || !names.contains(name)) {
                throw new IllegalArgumentException(where + "unexpected key '" + key + "'; expected 'step' and 'state.<i>.<name>' with name in "
                        + names);
            }
            if (index >= states.length) {
                throw new IllegalArgumentException(where + "unexpected key '" + key + "': this optimizer has "
                        + states.length + " parameters");
            }
            Parameter p = params.get(index);
            if (loaded[index] == null) loaded[index] = new State(p.numel());
            Tensor t = e.getValue();
            if (name.equals("step")) {
                loaded[index].step = StepKeys.readStep(where, key, t);
            } else {
                if (!Shape.same(t.shape(), p.shape())) {
                    throw new IllegalArgumentException(where + "shape mismatch for '" + key + "': parameter " + index
                            + " has shape " + Shape.str(p.shape()) + ", found " + Shape.str(t.shape()));
                }
                loaded[index].buffers.put(name, t.toFloatArray());
            }
        }
        for (int i = 0; i < loaded.length; i++) {
            if (loaded[i] == null) continue;
            for (String name : names) {
                boolean present = name.equals("step") ? state.containsKey("state." + i + ".step") : loaded[i].buffers.containsKey(name);
                if (!present) throw new IllegalArgumentException(where + "missing key 'state." + i + "." + name + "'");
            }
        }
        steps = newSteps;
        System.arraycopy(loaded, 0, states, 0, states.length);
    }

    // ---------------------------------------------------------------- per-parameter state

    /**
     * One parameter's state: its own step count and named buffers of the parameter's length,
     * created when the rule first asks for them.
     */
    protected static final class State {
        private final int length;
        private long step;
        private final Map<String, float[]> buffers = new LinkedHashMap<>();

        private State(int length) {
            this.length = length;
        }

        /** Updates of this parameter so far, this one included. */
        public long step() {
            return step;
        }

        /** The named buffer, or {@code null} if it was never created. */
        public float[] buffer(String name) {
            return buffers.get(name);
        }

        /** The named buffer, created filled with {@code initial} if it does not exist yet. */
        public float[] buffer(String name, float initial) {
            float[] b = buffers.get(name);
            if (b == null) {
                b = new float[length];
                if (initial != 0) java.util.Arrays.fill(b, initial);
                buffers.put(name, b);
            }
            return b;
        }
    }
}
