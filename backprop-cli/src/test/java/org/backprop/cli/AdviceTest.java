package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.backprop.train.HealthWarning;
import org.junit.jupiter.api.Test;

/** Advice names only what the run's options can do: --activation relu, --batch-norm, --lr, --clip-norm. */
class AdviceTest {
    private static final HealthWarning VANISHING = new HealthWarning(HealthWarning.Kind.VANISHING, 1, "0.weight", 1e-9,
            "layer 1 (0.weight) gradient norm 1.0e-09, 6 orders below layer 9 (16.weight, 1.0e-03): vanishing gradients — "
                    + "sigmoid saturation? try ReLU + He init or batch norm");

    private static HealthPrinter printer(String activation, boolean mlp, boolean batchNorm) {
        return new HealthPrinter(new ProgressDisplay(new PrintWriter(new StringWriter()), ProgressDisplay.Mode.LINES, 1),
                activation, mlp, batchNorm);
    }

    @Test
    void vanishingGradientsInASigmoidMlpSuggestReluAndBatchNormByOptionName() {
        String a = printer("sigmoid", true, false).advise(VANISHING);
        assertTrue(a.startsWith("layer 1 (0.weight) gradient norm 1.0e-09, 6 orders below layer 9"), a);
        assertTrue(a.contains("try --activation relu (He initialisation comes with it), or --batch-norm"), a);
        String relu = printer("relu", true, true).advise(VANISHING);
        assertFalse(relu.contains("--activation") || relu.contains("--batch-norm"), "nothing the run already does: " + relu);
        assertTrue(relu.contains("fewer hidden layers (--layers)"), relu);
        assertFalse(printer("tanh", false, false).advise(VANISHING).contains("--batch-norm"), "a CNN has its own batch norm");
    }

    @Test
    void explodingGradientsSuggestTheLearningRateAndClipping() {
        HealthWarning w = new HealthWarning(HealthWarning.Kind.EXPLODING, 2, "0.weight", 1e4,
                "gradient norm 1.0e+04 at epoch 2, step 3 (largest in 0.weight, 9.0e+03): exploding gradients — lower the rate");
        assertEquals("gradient norm 1.0e+04 at epoch 2, step 3 (largest in 0.weight, 9.0e+03): exploding gradients — try a "
                + "lower --lr, or --clip-norm 1", printer("relu", true, false).advise(w));
    }

    @Test
    void batchNormAddsANormalisationAfterEachHiddenLayerOfAnMlp() {
        CliRunner r = CliRunner.run("train", "--layers", "16,16", "--batch-norm", "--epochs", "2", "--progress", "none");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Model: 64-16-16-10 relu with batch norm"), r.out());
        CliRunner cnn = CliRunner.run("train", "--model", "lenet", "--batch-norm");
        assertEquals(1, cnn.exitCode());
        assertTrue(cnn.err().contains("--batch-norm adds batch normalisation to an MLP"), cnn.err());
    }
}
