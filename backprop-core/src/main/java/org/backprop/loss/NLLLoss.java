package org.backprop.loss;

import java.util.Objects;
import org.backprop.tensor.Tensor;

/**
 * Negative log-likelihood of class indices, PyTorch's {@code nn.NLLLoss}. The input holds
 * log-probabilities x of shape [N, C] (e.g. the output of {@code logSoftmax(1)}); the target
 * holds class indices tᵢ ∈ {0, …, C−1} of shape [N], stored as float values:
 * <pre>  L = −(1/N)·Σᵢ xᵢ,ₜᵢ        ∂L/∂xᵢ꜀ = −[c = tᵢ] / N</pre>
 * (with {@link Reduction#SUM}, without the 1/N). On raw logits use {@link CrossEntropyLoss}.
 *
 * @param reduction mean over the batch (the default) or sum
 */
public record NLLLoss(Reduction reduction) implements Loss {
    public NLLLoss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** Mean reduction, as PyTorch's default. */
    public NLLLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor logProbabilities, Tensor target) {
        int[] classes = Checks.classTargets("NLLLoss", "log-probabilities", logProbabilities, target);
        int n = logProbabilities.size(0), c = logProbabilities.size(1);
        float[] x = logProbabilities.toFloatArray();
        double total = 0;
        for (int i = 0; i < n; i++) total -= x[i * c + classes[i]];
        double scale = reduction.scale(n);
        return Tensor.fromOperation(new float[] {(float) (total * scale)}, new int[0], "NLLLoss", g -> {
            float[] dx = new float[n * c];
            float d = (float) (-scale * g.item());
            for (int i = 0; i < n; i++) dx[i * c + classes[i]] = d;
            return new Tensor[] {Tensor.wrap(dx, n, c), null};
        }, logProbabilities, target);
    }
}
