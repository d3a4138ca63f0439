package org.backprop.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.backprop.data.Dataset;
import org.backprop.data.FashionMnist;
import org.backprop.kernel.Parallel;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.CosineAnnealingLR;
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.FitConfig;
import org.backprop.tensor.Tensor;
import org.backprop.train.Task;
import org.backprop.train.Trainer;

/**
 * Trains one of the {@link Models} CNNs on Fashion-MNIST the way the PyTorch peer benchmark does
 * (Adam, learning rate 10⁻³, batch 128, pixels / 255, a seeded shuffle each epoch) and prints,
 * after every epoch, its time, the training loss and accuracy, and the test accuracy.
 *
 * <p>Usage: {@code FashionCnn [--model small|lenet5] [--epochs 10] [--batch 128] [--seed 0] [--data DIR]
 * [--subset N] [--steps N] [--schedule constant|cosine]}. {@code --subset} keeps the first N
 * training and test images, for a quick check. {@code --steps N} instead times N warm training
 * steps on the first batch (after N/2 warm-up steps) and prints the milliseconds per step, for
 * profiling and A/B comparisons. {@code --schedule cosine} anneals the learning rate from 10⁻³ to
 * 0 over the epochs (the peer benchmark keeps it constant, the default). Issue 4's target is
 * ≥ 0.92 test accuracy for {@code small}.
 */
public final class FashionCnn {
    private FashionCnn() {}

    public static void main(String[] args) throws IOException {
        String model = "small", schedule = "constant";
        int epochs = 10, batch = 128, subset = 0, steps = 0;
        long seed = 0;
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = value;
                case "--epochs" -> epochs = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--data" -> data = Path.of(value);
                case "--subset" -> subset = Integer.parseInt(value);
                case "--steps" -> steps = Integer.parseInt(value);
                case "--schedule" -> schedule = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (usage: FashionCnn"
                        + " [--model small|lenet5] [--epochs 10] [--batch 128] [--seed 0] [--data DIR] [--subset N] [--steps N] [--schedule constant|cosine])");
            }
            i++;
        }
        Sequential net = switch (model) {
            case "small" -> Models.smallCnn(new Random(seed));
            case "lenet5" -> Models.lenet5(new Random(seed));
            default -> throw new IllegalArgumentException("--model must be small or lenet5, got " + model);
        };
        FashionMnist ds = FashionMnist.load(data);
        Dataset train = first(images(ds.train()), subset);
        Dataset test = first(images(ds.test()), subset);
        System.out.printf(Locale.ROOT, "%s: %d parameters, %d kernel threads, %d training and %d test images%n",
                model, net.parameterCount(), Parallel.THREADS, train.size(), test.size());

        CrossEntropyLoss loss = new CrossEntropyLoss();
        if (steps > 0) {
            timeSteps(net, loss, first(train, batch), steps);
            return;
        }
        Callback report = new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                Evaluation t = Trainer.evaluate(net, test, loss, Task.CLASSIFICATION, 1000);
                System.out.printf(Locale.ROOT, "epoch %d: %.1f s, train loss %.4f, train accuracy %.4f, test accuracy %.4f%n",
                        r.epoch(), r.seconds(), r.trainLoss(), r.train().accuracy(), t.accuracy());
            }
        };
        Adam adam = new Adam(net.parameters(), 1e-3);
        Trainer trainer = new Trainer(net, loss, adam).callback(report);
        switch (schedule) {
            case "constant" -> { }
            case "cosine" -> trainer.scheduler(new CosineAnnealingLR(adam, epochs)); // 10⁻³ down to 0 at the last epoch
            default -> throw new IllegalArgumentException("--schedule must be constant or cosine, got " + schedule);
        }
        trainer.fit(train, FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(batch).withSeed(seed));
    }

    /** Times warm training steps (zero grad, forward, loss, backward, Adam) on one batch. */
    private static void timeSteps(Sequential net, CrossEntropyLoss loss, Dataset batch, int steps) {
        Adam adam = new Adam(net.parameters(), 1e-3);
        Tensor x = batch.features().contiguous(), y = batch.targets();
        net.train();
        for (int i = 0; i < Math.max(1, steps / 2); i++) step(net, loss, adam, x, y);
        // CPU time beside wall time: on a shared machine it says how much work a step is.
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long t0 = System.nanoTime(), cpu0 = os.getProcessCpuTime();
        for (int i = 0; i < steps; i++) step(net, loss, adam, x, y);
        double ms = (System.nanoTime() - t0) / 1e6 / steps, cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "%.2f ms per step of %d images (%.1f s per 60000-image epoch), %.2f ms CPU time%n",
                ms, x.size(0), ms * 60000 / x.size(0) / 1000, cpuMs);
    }

    private static void step(Sequential net, CrossEntropyLoss loss, Adam adam, Tensor x, Tensor y) {
        adam.zeroGrad();
        loss.apply(net.forward(x), y).backward();
        adam.step();
    }

    /** The first {@code n} samples, or all when n is 0. */
    private static Dataset first(Dataset d, int n) {
        if (n <= 0 || n >= d.size()) return d;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return d.subset(idx);
    }

    /** A split as a dataset of [N, 1, 28, 28] images (a view of the [N, 784] pixels) and class indices. */
    private static Dataset images(FashionMnist.Split split) {
        return new Dataset(split.images().reshape(split.size(), 1, 28, 28), split.labelTensor());
    }
}
