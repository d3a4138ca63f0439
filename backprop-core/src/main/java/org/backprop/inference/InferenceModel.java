package org.backprop.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.data.Standardizer;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * A trained model for serving predictions: immutable, and safe to share between any number of
 * threads without locking. Load it once and call {@link #predict} from every request thread.
 *
 * <pre>{@code
 * InferenceModel model = InferenceModel.load(Path.of("runs/h/model.safetensors"));
 * float[] prices = model.predict(new float[] {0.02f, 18f, 2.3f, ...});   // raw features, target units
 * }</pre>
 *
 * <p>Why it is thread-safe: it holds its own copy of the network (rebuilt from the architecture
 * with copied weights, in evaluation mode), which nothing can reach to train or switch back to
 * training mode; evaluation-mode layers only read their weights; the gradient mode, the
 * convolution and matrix-product scratch buffers are per thread; and the kernel thread pool takes
 * calls from several threads (a call that finds the pool busy runs its parts itself). Each
 * prediction is computed by the same operations in the same order whatever the other threads do,
 * so results are bit-identical to a single-threaded run ({@code InferenceModelConcurrencyTest}).
 *
 * <p>The rule for a plain {@link Sequential} instead: after {@code model.eval()}, concurrent
 * {@code forward} calls inside {@code GradMode.noGrad()} are safe as long as no thread trains,
 * loads into, or switches the mode of that model meanwhile; this class makes that impossible.
 */
public final class InferenceModel {
    private static final int CHUNK = 1024; // samples per forward pass: bounds the activations' memory

    private final Sequential network;
    private final ArchitectureSpec architecture;
    private final Preprocessing preprocessing;
    private final int[] sampleShape;
    private final int sampleSize;
    private final Standardizer features, targets;

    private InferenceModel(Sequential source, ArchitectureSpec architecture, Preprocessing preprocessing) {
        this.architecture = architecture;
        this.preprocessing = preprocessing;
        this.network = architecture.build(new Random(0));
        Map<String, Tensor> copy = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> copy.put(k, v.copy()));
        network.loadStateDict(copy);
        network.eval();
        if (!architecture.inputShape().isEmpty()) {
            sampleShape = architecture.inputShape().stream().mapToInt(Integer::intValue).toArray();
        } else if (architecture.inputSize().isPresent()) {
            sampleShape = new int[] {architecture.inputSize().getAsInt()};
        } else {
            throw new IllegalArgumentException("InferenceModel: the model records no input shape (save it with one)");
        }
        int n = 1;
        for (int d : sampleShape) n = Math.multiplyExact(n, d);
        sampleSize = n;
        features = preprocessing.featureMeans() == null ? null
                : new Standardizer(preprocessing.featureMeans(), preprocessing.featureStds());
        targets = preprocessing.targetMeans() == null ? null
                : new Standardizer(preprocessing.targetMeans(), preprocessing.targetStds());
    }

    /** Loads a model file saved by {@code ModelFile.save} or {@code backprop train --out}. */
    public static InferenceModel load(Path file) throws IOException {
        return of(ModelFile.load(file));
    }

    /** Serves a loaded model (the copy is independent of {@code saved.model()}). */
    public static InferenceModel of(ModelFile.SavedModel saved) {
        return new InferenceModel(saved.model(), saved.architecture(), saved.preprocessing());
    }

    /**
     * Serves a snapshot of {@code model}, which takes samples of {@code inputShape} (empty for a
     * network starting with a linear layer); later training of {@code model} does not change it.
     */
    public static InferenceModel of(Sequential model, List<Integer> inputShape, Preprocessing preprocessing) {
        return new InferenceModel(model, ArchitectureSpec.of(model, inputShape), preprocessing);
    }

    /**
     * The prediction for one sample given as raw features (flat, {@link #inputSize()} numbers;
     * images row-major): class scores (logits, or what the last layer gives) or a regression's
     * values in the target's units.
     */
    public float[] predict(float[] sample) {
        if (sample.length != sampleSize) {
            throw new IllegalArgumentException("InferenceModel.predict: a sample has " + sampleSize + " features, got "
                    + sample.length);
        }
        return predict(Tensor.of(sample, 1, sampleSize)).toFloatArray();
    }

    /** The index of the highest output for one sample: the predicted class. */
    public int classify(float[] sample) {
        float[] scores = predict(sample);
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /** Predictions for a batch of raw samples, as flat rows [N, inputSize] or shaped [N, sample shape...]. */
    public Tensor predict(Tensor batch) {
        int n = batch.size(0);
        if (batch.numel() != (long) n * sampleSize) {
            throw new IllegalArgumentException("InferenceModel.predict: samples have " + sampleSize + " features, got a batch "
                    + "of shape " + java.util.Arrays.toString(batch.shape()));
        }
        if (n > CHUNK) {
            float[] all = null;
            int k = 0;
            for (int from = 0; from < n; from += CHUNK) {
                float[] part = predict(batch.slice(0, from, Math.min(n, from + CHUNK)).contiguous()).toFloatArray();
                if (all == null) {
                    k = part.length / CHUNK;
                    all = new float[n * k];
                }
                System.arraycopy(part, 0, all, from * k, part.length);
            }
            return Tensor.wrap(all, n, k);
        }
        Tensor x = batch.reshape(n, sampleSize);
        if (features != null) x = features.transform(x);
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor y;
        try (var _ = GradMode.noGrad()) {
            y = network.forward(x.reshape(shape));
        }
        return targets == null ? y : targets.inverseTransform(y);
    }

    /** The number of raw features of one sample. */
    public int inputSize() {
        return sampleSize;
    }

    /** The network's architecture (a description; the network itself is not exposed). */
    public ArchitectureSpec architecture() {
        return architecture;
    }

    /** The preprocessing applied around the network. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }
}
