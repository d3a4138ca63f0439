package org.backprop.optim;

import java.util.List;
import java.util.Map;
import org.backprop.autograd.GradMode;
import org.backprop.kernel.Vec;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Autograd;
import org.backprop.tensor.Tensor;

/**
 * The optimizer step inside the backward pass ({@link Optimizer#backwardAndStep}). The autograd
 * driver calls back as soon as a parameter's gradient is final (every node that uses the
 * parameter has run); the parameter is updated and its gradient zeroed there, while both are
 * still in cache, instead of in a separate pass over all parameters after the backward and a
 * third (zeroGrad) before the next one.
 *
 * <p>It is exactly the unfused step: each rule reads only its own parameter, gradient and state,
 * and nothing later in the backward pass reads a parameter whose gradient is final. A parameter
 * the graph did not reach but that has a (zeroed) gradient buffer is updated after the pass, as
 * {@link Optimizer#step()} would. A parameter whose gradient is not finite is neither updated nor
 * zeroed ({@link Optimizer#skippedNonFiniteGradient()}), so the caller can name it and stop
 * before a NaN reaches the weights (the others may already be updated: the step is abandoned). Two cases need every gradient first and take the unfused path:
 * clipping by global norm ({@link Optimizer#clipGradNorm}: the norms are still taken inside the
 * backward and the coefficient folded into the step, {@link GradClip#backwardGlobalNorm},
 * {@link Optimizer#step(float)}) and optimizers whose fused mode is off.
 * A model that reads a parameter's values outside the graph during backward (through a detached
 * view) must not use the fused step.
 */
final class FusedStep {
    private FusedStep() {}

    static void run(Optimizer opt, Tensor loss, boolean fused, double maxGradNorm) {
        List<Parameter> params = opt.parameters();
        if (!fused) {
            // Clipping by global norm cannot update inside the backward (the coefficient needs every
            // gradient), but each gradient's Σ g² is taken there while it is in cache, and the
            // coefficient is applied as the rule reads the gradient: clip-then-step's bits, two passes fewer.
            if (maxGradNorm > 0) {
                double norm = GradClip.backwardGlobalNorm(loss, params);
                opt.step(GradClip.clipCoefficient(norm, maxGradNorm));
            } else {
                loss.backward();
                opt.step();
            }
            opt.zeroGrad();
            return;
        }
        if (loss.numel() != 1) loss.backward(); // the same clear error as the unfused path
        Map<Tensor, Integer> index = opt.indexByTensor();
        boolean[] done = new boolean[params.size()];
        opt.beginStep();
        Autograd.backward(loss, Tensor.full(1f, loss.shape()), leaf -> {
            Integer i = index.get(leaf);
            if (i == null) return; // a tensor that requires grad but is not one of this optimizer's parameters
            done[i] = true;
            // A batch-1 weight gradient a·bᵀ left as its factors: the rule forms it a row at a time.
            float[][] outer = opt.takesOuterGradients() ? leaf.leafGradOuterFactors() : null;
            // A NaN or infinite gradient is left in place, unapplied, for the caller to report
            // (Optimizer#skippedNonFiniteGradient): it never reaches the weights or the state.
            if (outer != null ? !outerFinite(outer[0], outer[1]) : !Vec.allFiniteParallel(params.get(i).grad().array())) {
                opt.skipNonFinite();
                return;
            }
            opt.updateOne(i, outer);
            // Zero without a pass over it: the next backward writes it whole (or fills it first).
            leaf.markGradZero();
        });
        try (var s = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                if (!done[i] && params.get(i).grad() != null) {
                    opt.updateOne(i, null);
                    params.get(i).zeroGrad();
                }
            }
        }
    }

    /**
     * Whether every element of a·bᵀ (each the rounded product aᵢ·bⱼ) is finite: all factors finite
     * and the largest product, max|a|·max|b|, too (rounding is monotonic, so no other overflows).
     */
    static boolean outerFinite(float[] a, float[] b) {
        if (!Vec.allFinite(a, 0, a.length) || !Vec.allFinite(b, 0, b.length)) return false;
        return Float.isFinite(maxAbs(a) * maxAbs(b));
    }

    private static float maxAbs(float[] x) {
        float max = 0f;
        for (float v : x) max = Math.max(max, Math.abs(v));
        return max;
    }
}
