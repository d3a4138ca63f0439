package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.backprop.autograd.GradMode;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.data.Standardizer;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** End to end: the built-in datasets, a small MLP, SGD and the fit loop. */
class BuiltinTrainingTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void digitsMlpReachesNinetyPercentTestAccuracy() {
        Dataset.Split split = BuiltinDatasets.digits().split(0.2, 42);
        Sequential model = TestSupport.mlp(1, 64, 32, 10);
        SGD sgd = new SGD(model.parameters(), SGD.Options.defaults().lr(0.05).momentum(0.9));
        History h = new Trainer(model, TestSupport.CROSS_ENTROPY, sgd)
                .fit(split.train(), FitConfig.of(Task.CLASSIFICATION).withEpochs(10).withBatchSize(32).withSeed(7));

        Evaluation test = Trainer.evaluate(model, split.test(), TestSupport.CROSS_ENTROPY, Task.CLASSIFICATION, 128);
        assertEquals(359, test.samples()); // round(1797 · 0.2)
        assertTrue(test.accuracy() >= 0.90, "test accuracy " + test.accuracy());
        assertTrue(h.last().trainLoss() < h.epochs().getFirst().trainLoss());
        // cross-check the reported accuracy against a direct count
        Tensor logits;
        try (var _ = GradMode.noGrad()) {
            logits = model.forward(split.test().features());
        }
        float[] predicted = logits.argmax(1, false).toFloatArray();
        float[] actual = split.test().targets().toFloatArray();
        int correct = 0;
        for (int i = 0; i < actual.length; i++) if (predicted[i] == actual[i]) correct++;
        assertEquals((double) correct / actual.length, test.accuracy(), 1e-12);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void housingMlpExplainsSeventyPercentOfTheTestVariance() {
        Dataset.Split split = BuiltinDatasets.housing().split(0.2, 42);
        // statistics from the training part only, applied to both parts
        Standardizer sx = Standardizer.fitFeatures(split.train());
        Standardizer sy = Standardizer.fitTargets(split.train());
        Dataset train = sy.transformTargets(sx.transformFeatures(split.train()));
        Dataset test = split.test();

        Sequential model = TestSupport.mlp(3, 12, 32, 1);
        SGD sgd = new SGD(model.parameters(), SGD.Options.defaults().lr(0.01).momentum(0.9));
        new Trainer(model, TestSupport.MSE, sgd)
                .fit(train, FitConfig.of(Task.REGRESSION).withEpochs(60).withBatchSize(16).withSeed(5));

        Tensor predicted;
        try (var _ = GradMode.noGrad()) {
            model.eval();
            predicted = sy.inverseTransform(model.forward(sx.transform(test.features()))); // back to $1000s
        }
        double r2 = Metrics.r2(predicted, test.targets());
        assertTrue(r2 >= 0.7, "test R² " + r2);
    }
}
