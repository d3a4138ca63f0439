package org.backprop.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;

/**
 * Issue 4's demonstration of vanishing gradients. A deep stack of sigmoid layers with the usual
 * small initial weights shrinks the backpropagated error at every layer (σ′ ≤ ¼, and the weights
 * scale it down further), so the first layers hardly learn. Two remedies keep the gradient's size
 * from layer to layer: ReLU with He initialisation (slope 1 on the active half, weights of
 * variance 2/fan_in), and batch normalisation before each sigmoid (which rescales the
 * pre-activations, and so the error flowing back, to unit size).
 *
 * <p>{@link #run} trains one network for one epoch of plain SGD and then measures ‖∂L/∂Wₗ‖, the
 * Frobenius norm of each linear layer's weight gradient over the whole training set.
 * {@link #main} prints the table of docs/GRADIENTS.md.
 */
public final class VanishingGradients {
    private VanishingGradients() {}

    /** The three networks compared. */
    public enum Variant {
        /** Linear + sigmoid, PyTorch's default initialisation U(±1/√fan_in). */
        SIGMOID("sigmoid"),
        /** Linear (He-normal weights, zero bias) + ReLU. */
        RELU_HE("ReLU + He init"),
        /** Linear + BatchNorm1d + sigmoid, default initialisation. */
        SIGMOID_BATCHNORM("sigmoid + batch norm");

        public final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /**
     * The outcome for one network.
     *
     * @param gradientNorms ‖∂L/∂Wₗ‖ for the linear layers, input side first
     * @param loss          the mean cross-entropy over the training set after the epoch
     */
    public record Report(Variant variant, double[] gradientNorms, double loss) {
        /** ‖∂L/∂W‖ of the first layer over that of the last: 1 when nothing vanishes. */
        public double firstOverLast() {
            return gradientNorms[0] / gradientNorms[gradientNorms.length - 1];
        }
    }

    /** A labelled data set: x [N, features], labels in [0, classes). */
    public record Data(Tensor x, int[] labels, int classes) {}

    /**
     * {@code depth} linear layers (depth − 1 hidden ones of {@code width} units), input
     * {@code in} features, output {@code classes} logits.
     */
    public static Sequential network(Variant variant, int in, int width, int classes, int depth, Random rng) {
        List<Module> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            int fanIn = l == 0 ? in : width;
            int out = l == depth - 1 ? classes : width;
            layers.add(variant == Variant.RELU_HE ? new Linear(fanIn, out, true, Init.heNormal(), rng) : new Linear(fanIn, out, rng));
            if (l == depth - 1) break;
            switch (variant) {
                case SIGMOID -> layers.add(new Activation.Sigmoid());
                case RELU_HE -> layers.add(new Activation.ReLU());
                case SIGMOID_BATCHNORM -> {
                    layers.add(new BatchNorm1d(out));
                    layers.add(new Activation.Sigmoid());
                }
            }
        }
        return new Sequential(layers);
    }

    /** Trains {@code variant} for one epoch of SGD (batch 32, learning rate {@code lr}), then measures the gradients. */
    public static Report run(Variant variant, Data data, int depth, int width, float lr, long seed) {
        Random rng = new Random(seed);
        Sequential net = network(variant, data.x().size(1), width, data.classes(), depth, rng);
        int n = data.x().size(0);
        SGD sgd = new SGD(net.parameters(), lr);
        int[] order = shuffled(n, rng);
        for (int start = 0; start + 1 < n; start += 32) { // a last batch of one would trip batch norm
            int end = Math.min(n, start + 32);
            int[] idx = java.util.Arrays.copyOfRange(order, start, end);
            sgd.zeroGrad();
            crossEntropy(net.forward(rows(data.x(), idx)), pick(data.labels(), idx)).backward();
            sgd.step();
        }
        sgd.zeroGrad();
        Tensor loss = crossEntropy(net.forward(data.x()), data.labels());
        loss.backward();
        List<Linear> linears = new ArrayList<>();
        for (Module m : net.layers()) if (m instanceof Linear lin) linears.add(lin);
        double[] norms = new double[linears.size()];
        for (int l = 0; l < norms.length; l++) {
            double s = 0;
            for (float g : linears.get(l).weight.grad().toFloatArray()) s += (double) g * g;
            norms[l] = Math.sqrt(s);
        }
        return new Report(variant, norms, loss.item());
    }

    /**
     * A small synthetic classification set: {@code classes} prototypes drawn uniformly in
     * [0, 1]^features (like pixel intensities) and each sample a prototype plus Gaussian noise.
     */
    public static Data synthetic(int n, int features, int classes, long seed) {
        Random rng = new Random(seed);
        float[][] prototypes = new float[classes][features];
        for (float[] p : prototypes) for (int j = 0; j < features; j++) p[j] = rng.nextFloat();
        float[] x = new float[n * features];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int j = 0; j < features; j++) x[i * features + j] = prototypes[labels[i]][j] + 0.3f * (float) rng.nextGaussian();
        }
        return new Data(Tensor.wrap(x, n, features), labels, classes);
    }

    /** Mean softmax cross-entropy of logits [N, K], composed from log-softmax and a one-hot mask. */
    static Tensor crossEntropy(Tensor logits, int[] labels) {
        int n = logits.size(0), k = logits.size(1);
        float[] oneHot = new float[n * k];
        for (int i = 0; i < n; i++) oneHot[i * k + labels[i]] = 1;
        return logits.logSoftmax(1).mul(Tensor.wrap(oneHot, n, k)).sum().mul(-1f / n);
    }

    private static Tensor rows(Tensor x, int[] idx) {
        int f = x.size(1);
        float[] src = x.toFloatArray(), out = new float[idx.length * f];
        for (int i = 0; i < idx.length; i++) System.arraycopy(src, idx[i] * f, out, i * f, f);
        return Tensor.wrap(out, idx.length, f);
    }

    private static int[] pick(int[] labels, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = labels[idx[i]];
        return out;
    }

    private static int[] shuffled(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Prints the comparison as a Markdown table: 10 layers of width 64 on 2000 synthetic samples. */
    public static void main(String[] args) {
        int depth = 10, width = 64;
        Data data = synthetic(2000, 64, 10, 42);
        List<Report> reports = new ArrayList<>();
        for (Variant v : Variant.values()) reports.add(run(v, data, depth, width, 0.1f, 7));
        StringBuilder sb = new StringBuilder("| layer |");
        for (Report r : reports) sb.append(' ').append(r.variant().label).append(" |");
        sb.append("\n|---|").append("---:|".repeat(reports.size())).append('\n');
        for (int l = 0; l < depth; l++) {
            sb.append("| ").append(l + 1).append(l == 0 ? " (input)" : l == depth - 1 ? " (output)" : "").append(" |");
            for (Report r : reports) sb.append(String.format(Locale.ROOT, " %.2e |", r.gradientNorms()[l]));
            sb.append('\n');
        }
        sb.append("| first / last |");
        for (Report r : reports) sb.append(String.format(Locale.ROOT, " %.1e |", r.firstOverLast()));
        sb.append("\n| loss after the epoch |");
        for (Report r : reports) sb.append(String.format(Locale.ROOT, " %.3f |", r.loss()));
        System.out.println(sb);
    }
}
