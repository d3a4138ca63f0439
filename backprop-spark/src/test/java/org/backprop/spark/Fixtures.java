package org.backprop.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.backprop.loss.Loss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/** Small models, data and a single-machine reference loop shared by the tests. */
final class Fixtures {
    private Fixtures() {}

    /** in → hidden (ReLU) → out, initialised from {@code seed}: every call builds the same weights. */
    static SerializableSupplier<Module> mlp(int in, int hidden, int out, long seed) {
        return () -> {
            Random rng = new Random(seed);
            return new Sequential(new Linear(in, hidden, rng), new Activation.ReLU(), new Linear(hidden, out, rng));
        };
    }

    /**
     * Gaussian blobs: {@code classes} centres in {@code dims} dimensions, {@code n} points with
     * noise of standard deviation {@code noise}; targets one-hot ({@code oneHot}) or class indices.
     */
    static List<Sample> blobs(int n, int dims, int classes, double noise, boolean oneHot, long seed) {
        Random rng = new Random(seed);
        float[][] centres = new float[classes][dims];
        for (float[] c : centres) for (int d = 0; d < dims; d++) c[d] = (float) (rng.nextGaussian() * 2);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(classes);
            float[] x = new float[dims];
            for (int d = 0; d < dims; d++) x[d] = centres[label][d] + (float) (rng.nextGaussian() * noise);
            if (oneHot) {
                float[] y = new float[classes];
                y[label] = 1;
                out.add(Sample.of(x, y));
            } else {
                out.add(Sample.labeled(x, label));
            }
        }
        return out;
    }

    /**
     * Single-machine training on exactly the global batches {@link BatchPlan} prescribes, given
     * the rows of each partition: the reference the distributed runs must reproduce.
     */
    static void trainLocally(List<List<Sample>> partitions, BatchPlan plan, int epochs, Module model, Loss loss, Optimizer opt) {
        for (int epoch = 1; epoch <= epochs; epoch++) { // numbered from 1, as SparkTrainer does
            for (int step = 0; step < plan.stepsPerEpoch(); step++) {
                List<Sample> batch = new ArrayList<>();
                for (int p = 0; p < partitions.size(); p++) {
                    int[] order = plan.order(epoch, p);
                    for (int i = plan.sliceStart(p, step); i < plan.sliceEnd(p, step); i++) batch.add(partitions.get(p).get(order[i]));
                }
                if (batch.isEmpty()) continue;
                opt.zeroGrad();
                loss.apply(model.forward(features(batch)), targets(batch)).backward();
                opt.step();
            }
        }
    }

    static Tensor features(List<Sample> batch) {
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = batch.get(i).features();
        return Tensor.of(rows);
    }

    static Tensor targets(List<Sample> batch) {
        if (batch.getFirst().classLabel()) {
            float[] y = new float[batch.size()];
            for (int i = 0; i < y.length; i++) y[i] = batch.get(i).target()[0];
            return Tensor.wrap(y, y.length);
        }
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = batch.get(i).target();
        return Tensor.of(rows);
    }

    /** Largest absolute difference between the two models' state values. */
    static double maxDifference(Module a, Module b) {
        double max = 0;
        var sb = b.stateDict();
        for (var e : a.stateDict().entrySet()) {
            float[] x = e.getValue().toFloatArray(), y = sb.get(e.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    /** Share of samples (class labels) whose largest output is the label, computed on this machine. */
    static double accuracy(Module model, List<Sample> data) {
        try (var _ = org.backprop.autograd.GradMode.noGrad()) {
            Tensor out = model.forward(features(data));
            int correct = 0;
            for (int i = 0; i < data.size(); i++) {
                if (out.slice(0, i, i + 1).argmax() == (int) data.get(i).target()[0]) correct++;
            }
            return (double) correct / data.size();
        }
    }
}
