package org.backprop.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.data.Fsdd;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.CosineAnnealingLR;
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.FitConfig;
import org.backprop.train.Task;
import org.backprop.train.Trainer;

/**
 * Trains the peer benchmark's {@code fsdd_cnn} on the Free Spoken Digit Dataset (official split,
 * log-mel features as {@code torch_fsdd.py}) and prints each epoch's time, training loss and test
 * accuracy: the library-only path from WAV files to a recognised digit.
 *
 * <p>Usage: {@code SpokenDigits [--data-dir DIR] [--epochs 20] [--batch 64] [--seed 0]
 * [--schedule cosine|constant]}. The peer keeps Adam's 10⁻³ constant for 30 epochs.
 */
public final class SpokenDigits {
    private SpokenDigits() {}

    public static void main(String[] args) throws IOException {
        Path data = null;
        int epochs = 20, batch = 64;
        long seed = 0;
        String schedule = "cosine";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data-dir" -> data = Path.of(args[i + 1]);
                case "--epochs" -> epochs = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--schedule" -> schedule = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (usage: SpokenDigits [--data-dir DIR] [--epochs 20] [--batch 64] [--seed 0] [--schedule cosine|constant])");
            }
        }
        long t0 = System.nanoTime();
        var prepared = org.backprop.data.SpokenDigits.prepare(Fsdd.load(data).officialSplit(), LogMel.FSDD,
                AudioFeatures.Layout.IMAGE);
        System.out.printf(Locale.ROOT, "fsdd: %d training and %d test recordings, features in %.1f s%n",
                prepared.train().size(), prepared.test().size(), (System.nanoTime() - t0) / 1e9);
        Sequential net = Models.fsddCnn(new Random(seed));
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Callback report = new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                Evaluation t = Trainer.evaluate(net, prepared.test(), loss, Task.CLASSIFICATION, 100);
                System.out.printf(Locale.ROOT, "epoch %d: %.1f s, train loss %.4f, test accuracy %.4f%n",
                        r.epoch(), r.seconds(), r.trainLoss(), t.accuracy());
            }
        };
        Adam adam = new Adam(net.parameters(), 1e-3);
        Trainer trainer = new Trainer(net, loss, adam).callback(report);
        if (schedule.equals("cosine")) trainer.scheduler(new CosineAnnealingLR(adam, epochs));
        else if (!schedule.equals("constant")) throw new IllegalArgumentException("--schedule must be cosine or constant");
        trainer.fit(prepared.train(), FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(batch).withSeed(seed));
    }
}
