package org.backprop.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.loss.Loss;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.backprop.train.FitConfig;
import org.backprop.train.Task;
import org.backprop.train.Trainer;

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

    /**
     * Trains {@code variant} for one epoch of SGD (batch 32, learning rate {@code lr}, shuffled with
     * {@code seed}) on a classification set, then measures the gradients over the whole set.
     */
    public static Report run(Variant variant, Dataset data, int depth, int width, float lr, long seed) {
        Sequential net = network(variant, data.featureWidth(), width, data.classCount(), depth, new Random(seed));
        Loss loss = new CrossEntropyLoss();
        new Trainer(net, loss, new SGD(net.parameters(), lr))
                .fit(data, FitConfig.of(Task.CLASSIFICATION).withEpochs(1).withBatchSize(32).withSeed(seed));
        net.train(); // batch statistics, as during training
        net.zeroGrad();
        Tensor total = loss.apply(net.forward(data.features()), data.targets());
        total.backward();
        List<Linear> linears = new ArrayList<>();
        for (Module m : net.layers()) if (m instanceof Linear lin) linears.add(lin);
        double[] norms = new double[linears.size()];
        for (int l = 0; l < norms.length; l++) {
            double sq = 0;
            for (float g : linears.get(l).weight.grad().toFloatArray()) sq += (double) g * g;
            norms[l] = Math.sqrt(sq);
        }
        return new Report(variant, norms, total.item());
    }

    /** Prints the comparison as a Markdown table: 10 layers of width 64 on the digits set (1797 8×8 images). */
    public static void main(String[] args) {
        int depth = 10, width = 64;
        Dataset data = BuiltinDatasets.digits();
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
