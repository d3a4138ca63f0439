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
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.FitConfig;
import org.backprop.train.Task;
import org.backprop.train.Trainer;

/**
 * Trains one of the {@link Models} CNNs on Fashion-MNIST the way the PyTorch peer benchmark does
 * (Adam, learning rate 10⁻³, batch 128, pixels / 255, a seeded shuffle each epoch) and prints,
 * after every epoch, its time, the training loss and accuracy, and the test accuracy.
 *
 * <p>Usage: {@code FashionCnn [--model small|lenet5] [--epochs 10] [--batch 128] [--seed 0] [--data DIR]
 * [--subset N]}; {@code --subset} keeps the first N training and test images, for a quick check.
 * Too slow for a unit test (minutes an epoch on two cores); issue 4's target is ≥ 0.92 test
 * accuracy for {@code small}.
 */
public final class FashionCnn {
    private FashionCnn() {}

    public static void main(String[] args) throws IOException {
        String model = "small";
        int epochs = 10, batch = 128, subset = 0;
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
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (usage: FashionCnn"
                        + " [--model small|lenet5] [--epochs 10] [--batch 128] [--seed 0] [--data DIR] [--subset N])");
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
        Callback report = new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                Evaluation t = Trainer.evaluate(net, test, loss, Task.CLASSIFICATION, 1000);
                System.out.printf(Locale.ROOT, "epoch %d: %.1f s, train loss %.4f, train accuracy %.4f, test accuracy %.4f%n",
                        r.epoch(), r.seconds(), r.trainLoss(), r.train().accuracy(), t.accuracy());
            }
        };
        new Trainer(net, loss, new Adam(net.parameters(), 1e-3)).callback(report)
                .fit(train, FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(batch).withSeed(seed));
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
