package org.backprop.train;

import org.backprop.autograd.GradMode;
import org.backprop.data.Batch;
import org.backprop.data.DataLoader;
import org.backprop.data.Dataset;
import org.backprop.nn.Module;
import org.backprop.tensor.Tensor;

/** A model's outputs over a whole dataset, computed a batch at a time. */
public final class Predictions {
    private Predictions() {}

    /**
     * The model's outputs for every sample of {@code data}, in order, computed {@code batchSize}
     * samples at a time in evaluation mode without recording gradients: only one batch's
     * activations are ever held (a whole test set through a CNN in one pass held hundreds of MB).
     * The model's training/evaluation mode is left as it was.
     */
    public static Tensor of(Module model, Dataset data, int batchSize) {
        if (data.isEmpty()) throw new IllegalArgumentException("predict: the dataset is empty");
        boolean wasTraining = model.isTraining();
        float[] all = null;
        int[] shape = null;
        int at = 0;
        try (var _ = GradMode.noGrad()) {
            model.eval();
            for (Batch batch : DataLoader.sequential(data, batchSize).epoch(0)) {
                Tensor prediction = model.forward(batch.features());
                if (all == null) {
                    shape = prediction.shape().clone();
                    int per = prediction.numel() / shape[0];
                    shape[0] = data.size();
                    all = new float[Math.multiplyExact(per, data.size())];
                }
                float[] part = prediction.toFloatArray();
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
        } finally {
            model.train(wasTraining);
        }
        return Tensor.wrap(all, shape);
    }
}
