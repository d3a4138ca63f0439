package org.backprop.optim;

import java.util.List;
import org.backprop.autograd.GradMode;
import org.backprop.nn.Parameter;

/**
 * Updates parameters from their gradients. Call order per step, as in PyTorch:
 * {@code optimizer.zeroGrad(); loss.backward(); optimizer.step();}.
 * Subclasses implement {@link #update}, the rule for one parameter; state per parameter
 * (momentum buffers, moment estimates) lives in the optimizer, never in the layer.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected double lr;
    private long steps;

    protected Optimizer(List<Parameter> params, double lr) {
        if (params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("Invalid learning rate: " + lr);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Sets every parameter's gradient to zero. */
    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        try (var s = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                if (p.grad() == null) continue;
                update(i, p.data(), p.grad().array());
            }
        }
    }

    /**
     * The update rule for parameter {@code index}: change {@code w} in place from gradient {@code g}.
     * {@link #stepCount()} is already advanced (1 on the first step).
     */
    protected abstract void update(int index, float[] w, float[] g);

    /** Steps taken so far. */
    public long stepCount() {
        return steps;
    }

    /** Restores the step counter (for checkpoints). */
    protected void setStepCount(long steps) {
        this.steps = steps;
    }

    public double lr() {
        return lr;
    }

    /** Changes the learning rate (schedules call this between steps). */
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("Invalid learning rate: " + lr);
        this.lr = lr;
    }

    public List<Parameter> parameters() {
        return params;
    }
}
