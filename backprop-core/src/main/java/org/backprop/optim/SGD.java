package org.backprop.optim;

import java.util.List;
import org.backprop.nn.Parameter;

/**
 * Stochastic gradient descent, with PyTorch's update rule:
 * <pre>
 *   g ← g + λ·w                       (weight decay λ)
 *   b ← μ·b + (1 − τ)·g  (b ← g on the first step)   (momentum μ, dampening τ)
 *   g ← g + μ·b  if Nesterov, else g ← b
 *   w ← w − η·g
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final float[][] buffers; // momentum_buffer, per parameter

    /** Plain gradient descent: w ← w − η·g. */
    public SGD(List<Parameter> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    public SGD(List<Parameter> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (momentum < 0) throw new IllegalArgumentException("Invalid momentum value: " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new float[params.size()][];
    }

    @Override
    protected void update(int index, float[] w, float[] g) {
        float eta = (float) lr, mu = (float) momentum, decay = (float) weightDecay, damp = (float) (1 - dampening);
        float[] b = buffers[index];
        boolean first = b == null;
        if (momentum != 0 && first) b = buffers[index] = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + decay * w[i];
            if (momentum != 0) {
                b[i] = first ? gi : mu * b[i] + damp * gi;
                gi = nesterov ? gi + mu * b[i] : b[i];
            }
            w[i] -= eta * gi;
        }
    }
}
