package org.backprop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.examples.VanishingGradients.Report;
import org.backprop.examples.VanishingGradients.Variant;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Linear;
import org.junit.jupiter.api.Test;

class VanishingGradientsTest {

    /** The digits set (1797 8×8 images), as in docs/GRADIENTS.md. */
    private static final Dataset DATA = BuiltinDatasets.digits();

    @Test
    void theSigmoidStacksFirstLayerGetsOrdersOfMagnitudeLessGradient() {
        Report r = VanishingGradients.run(Variant.SIGMOID, DATA, 10, 64, 0.1f, 7);
        assertEquals(10, r.gradientNorms().length);
        assertTrue(r.firstOverLast() < 1e-2, "first/last = " + r.firstOverLast());
        // and it shrinks layer after layer going back from the output
        for (int l = 0; l < 9; l++) {
            assertTrue(r.gradientNorms()[l] < r.gradientNorms()[l + 1], "layer " + (l + 1) + " vs " + (l + 2));
        }
    }

    @Test
    void reluWithHeInitAndBatchNormKeepTheGradientWithinTenfold() {
        Report sigmoid = VanishingGradients.run(Variant.SIGMOID, DATA, 10, 64, 0.1f, 7);
        for (Variant v : new Variant[] {Variant.RELU_HE, Variant.SIGMOID_BATCHNORM}) {
            Report r = VanishingGradients.run(v, DATA, 10, 64, 0.1f, 7);
            assertTrue(r.firstOverLast() > 0.1 && r.firstOverLast() < 10, v + ": first/last = " + r.firstOverLast());
            assertTrue(r.loss() < sigmoid.loss(), v + " learned more in the epoch: " + r.loss() + " vs " + sigmoid.loss());
        }
    }

    @Test
    void theNetworksHaveTheAdvertisedLayers() {
        var net = VanishingGradients.network(Variant.SIGMOID_BATCHNORM, 32, 16, 10, 10, new Random(1));
        assertEquals(10, net.layers().stream().filter(m -> m instanceof Linear).count());
        assertEquals(9, net.layers().stream().filter(m -> m instanceof BatchNorm1d).count());
        var relu = VanishingGradients.network(Variant.RELU_HE, 32, 16, 10, 10, new Random(1));
        Linear first = (Linear) relu.get(0);
        double s = 0;
        for (float w : first.weight.data()) s += w * w;
        assertEquals(2.0 / 32, s / first.weight.numel(), 0.02, "He init: weight variance 2/fan_in");
        for (float b : first.bias.data()) assertEquals(0f, b);
    }
}
