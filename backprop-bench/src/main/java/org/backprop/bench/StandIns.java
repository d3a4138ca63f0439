package org.backprop.bench;

import java.util.List;
import org.backprop.nn.Parameter;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/**
 * Stand-ins for the loss and optimizer the benchmark needs, used only until the library's own
 * {@code loss.CrossEntropyLoss} and {@code optim.Adam} reach the main branch (then {@link Mlp}
 * switches to them and this file goes). Same arithmetic as PyTorch's defaults.
 */
final class StandIns {
    private StandIns() {}

    /** Mean softmax cross-entropy of logits [N, C] against class indices [N], from library primitives. */
    static Tensor crossEntropy(Tensor logits, Tensor labels) {
        int n = logits.size(0), c = logits.size(1);
        float[] oneHot = new float[n * c];
        float[] y = labels.toFloatArray();
        for (int i = 0; i < n; i++) oneHot[i * c + (int) y[i]] = 1f;
        return logits.logSoftmax(1).mul(Tensor.wrap(oneHot, n, c)).sum().mul(-1f / n);
    }

    /** Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8, no weight decay). */
    static final class Adam extends Optimizer {
        private final float[][] m, v;

        Adam(List<Parameter> params, double lr) {
            super(params, lr);
            m = new float[params.size()][];
            v = new float[params.size()][];
        }

        @Override
        protected void update(int index, float[] w, float[] g) {
            if (m[index] == null) {
                m[index] = new float[w.length];
                v[index] = new float[w.length];
            }
            float[] mi = m[index], vi = v[index];
            long t = stepCount();
            float stepSize = (float) (lr / (1 - Math.pow(0.9, t)));
            float root = (float) Math.sqrt(1 - Math.pow(0.999, t));
            for (int i = 0; i < w.length; i++) {
                mi[i] = 0.9f * mi[i] + 0.1f * g[i];
                vi[i] = 0.999f * vi[i] + 0.001f * g[i] * g[i];
                w[i] -= stepSize * mi[i] / ((float) Math.sqrt(vi[i]) / root + 1e-8f);
            }
        }
    }
}
