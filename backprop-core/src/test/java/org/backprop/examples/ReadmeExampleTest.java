package org.backprop.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.data.Batch;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.DataLoader;
import org.backprop.data.Dataset;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.loss.Loss;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;
import org.backprop.train.Metrics;
import org.junit.jupiter.api.Test;

/** The library example in README.md, kept compiling and working (copy changes both ways). */
class ReadmeExampleTest {

    @Test
    void theReadmeTrainingLoopLearnsTheDigits() {
        // --- README.md, "The library" (from here)
        Dataset.Split split = BuiltinDatasets.digits().split(0.2, 42);   // 8×8 images, labels 0–9
        Random rng = new Random(42);
        Sequential model = new Sequential(
                new Linear(64, 64, true, Init.heNormal(), rng), new Activation.ReLU(),
                new Linear(64, 10, rng));
        Optimizer opt = new Adam(model.parameters(), 1e-3);
        Loss loss = new CrossEntropyLoss();
        DataLoader loader = new DataLoader(split.train(), 32, true, 42, false);

        for (int epoch = 0; epoch < 30; epoch++) {
            for (Batch b : loader.epoch(epoch)) {       // seeded, shuffled mini-batches
                opt.zeroGrad();
                Tensor l = loss.apply(model.forward(b.features()), b.targets());
                l.backward();                           // gradients of every parameter, by the chain rule
                opt.step();                             // w ← w − η·(Adam's step)
            }
        }
        try (var noGrad = GradMode.noGrad()) {
            Tensor logits = model.forward(split.test().features());
            System.out.println("test accuracy " + Metrics.accuracy(logits, split.test().targets()));
            // --- (to here)
            assertTrue(Metrics.accuracy(logits, split.test().targets()) > 0.95);
        }
    }
}
