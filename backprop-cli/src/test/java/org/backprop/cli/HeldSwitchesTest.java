package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.backprop.autograd.GradCheck;
import org.backprop.autograd.GradMode;
import org.backprop.shape.Window2d;
import org.backprop.loss.Loss;
import org.backprop.loss.Losses;
import org.backprop.nn.Activation;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The network with its ReLU sides and max-pool cells held, whose finite differences gradcheck takes. */
class HeldSwitchesTest {
    private static final List<int[]> ALL = Arrays.asList((int[]) null);

    private static Tensor classes(Random rng, int n) {
        float[] c = new float[n];
        for (int i = 0; i < n; i++) c[i] = rng.nextInt(10);
        return Tensor.wrap(c, n);
    }

    @Test
    void aStepAcrossKinksMisleadsTheNetworkButNotTheHeldOne() {
        // LeNet-5 on 4 random images: a step of 1e-2 in a first-layer weight moves 4·28·28 units and
        // crosses dozens of ReLU kinks and max-pool switches, so the network's own differences
        // are off by up to a quarter of the gradient; held, every element agrees.
        Sequential net = Models.lenet5(new Random(2));
        net.eval();
        Random rng = new Random(1);
        Tensor x = Tensor.randn(rng, 4, 1, 28, 28), y = classes(rng, 4);
        Loss ce = Losses.named("cross_entropy");
        Tensor w = net.namedParameters().get("0.weight").value();
        Function<Tensor[], Tensor> f = in -> ce.apply(net.forward(x), y);

        GradCheck.Comparison blind = GradCheck.compare(f, null, GradCheck.DEFAULT_STEP, GradCheck.DEFAULT_ATOL,
                GradCheck.DEFAULT_RTOL, ALL, w).getFirst();
        assertFalse(blind.passed(), blind.toString());

        HeldSwitches held = HeldSwitches.at(net, x);
        assertEquals(0, held.exactKinks());
        GradCheck.Comparison c = GradCheck.compareHeld(f, in -> ce.apply(held.forward(x), y), GradCheck.DEFAULT_STEP,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, ALL, w).getFirst();
        assertEquals(150, c.checked());
        assertTrue(c.maxError() < 0.1, c.toString());
        assertTrue(held.crossings() > 1000, "crossings " + held.crossings());
    }

    @Test
    void heldLogitsAreAffineInAWeightWhileTheNetworksAreNot() {
        // Conv, ReLU, max-pool and linear layers are affine in one weight between switches; held,
        // that stays true for steps of 0.1 that cross many switches.
        Sequential net = Models.lenet5(new Random(4));
        net.eval();
        Tensor x = Tensor.randn(new Random(5), 2, 1, 28, 28);
        HeldSwitches held = HeldSwitches.at(net, x);
        float[] w = net.namedParameters().get("0.weight").data();
        float w0 = w[7];
        float[][] real = new float[3][], kept = new float[3][];
        try (var _ = GradMode.noGrad()) {
            for (int k = 0; k < 3; k++) {
                w[7] = w0 + 0.1f * k;
                real[k] = net.forward(x).toFloatArray();
                kept[k] = held.forward(x).toFloatArray();
            }
        }
        w[7] = w0;
        assertArrayEquals(real[0], kept[0]); // the same function at the recorded point
        assertTrue(held.crossings() > 0);
        // measured: 4e-8 (float32 rounding) held, 3e-3 for the network
        assertTrue(maxSecondDifference(kept) < 1e-6, "held: " + maxSecondDifference(kept));
        assertTrue(maxSecondDifference(real) > 1e-3, "network: " + maxSecondDifference(real));
    }

    private static double maxSecondDifference(float[][] v) {
        double max = 0;
        for (int i = 0; i < v[0].length; i++) max = Math.max(max, Math.abs((double) v[2][i] - 2.0 * v[1][i] + v[0][i]));
        return max;
    }

    @Test
    void maxPoolCellsAreTheLayersChoices() {
        Tensor x = Tensor.randn(new Random(6), 2, 3, 9, 11);
        for (Window2d win : List.of(Window2d.of(2, 2, 0), Window2d.of(3, 2, 1), Window2d.of(3, 1, 1, 2),
                new Window2d(2, 3, 1, 2, 1, 0, 1, 1))) {
            int[] cells = HeldSwitches.argmax(x, win);
            Tensor pooled = MaxPool2d.maxPool2d(x, win);
            float[] in = x.toFloatArray(), expected = pooled.toFloatArray();
            int outPlane = pooled.size(2) * pooled.size(3);
            for (int q = 0; q < cells.length; q++) {
                assertEquals(expected[q], in[q / outPlane * 9 * 11 + cells[q]], win + " output " + q);
            }
        }
        // ties keep the first cell, as the layer's backward does
        assertArrayEquals(new int[] {0, 2}, HeldSwitches.argmax(Tensor.zeros(1, 1, 2, 4), Window2d.of(2, 2, 0)));
    }

    @Test
    void unitsExactlyAtTheKinkAreLeftFreeAndCounted() {
        Tensor at = Tensor.of(new float[] {0f, 1f, -1f, 0f}, 1, 4);
        Tensor moved = Tensor.of(new float[] {0.5f, -0.5f, 0.5f, -0.5f}, 1, 4);

        HeldSwitches relu = HeldSwitches.at(new Sequential(new Activation.ReLU()), at);
        assertEquals(2, relu.exactKinks());
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 0f}, relu.forward(moved).toFloatArray());
        assertEquals(2, relu.crossings());

        HeldSwitches leaky = HeldSwitches.at(new Sequential(new Sequential(new Activation.LeakyReLU(0.1f))), at);
        assertArrayEquals(new float[] {0.5f, -0.5f, 0.05f, -0.05f}, leaky.forward(moved).toFloatArray(), 1e-7f);

        // ELU with α = 1 has a continuous slope at 0: no kink there
        assertEquals(0, HeldSwitches.at(new Sequential(new Activation.ELU(1f)), at).exactKinks());
        assertEquals(2, HeldSwitches.at(new Sequential(new Activation.ELU(0.5f)), at).exactKinks());
    }

    /** Doubles its input, with a backward that claims 2.5: the kind of mistake the check exists for. */
    private static final class WrongDoubling extends Module {
        @Override
        public Tensor forward(Tensor x) {
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) v[i] *= 2;
            return Tensor.fromOperation(v, x.shape(), "wrongDoubling", g -> new Tensor[] {g.mul(2.5f)}, x);
        }
    }

    @Test
    void aWrongBackwardBetweenConvolutionAndPoolingIsFound() {
        Random rng = new Random(8);
        Sequential net = new Sequential(new Conv2d(1, 4, 3, rng), new WrongDoubling(), new Activation.ReLU(),
                new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 10, rng));
        net.eval();
        Tensor x = Tensor.randn(rng, 3, 1, 8, 8), y = classes(rng, 3);
        Loss ce = Losses.named("cross_entropy");
        HeldSwitches held = HeldSwitches.at(net, x);
        GradCheck.Comparison c = GradCheck.compareHeld(in -> ce.apply(net.forward(x), y),
                in -> ce.apply(held.forward(x), y), GradCheck.DEFAULT_STEP, GradCheck.DEFAULT_ATOL,
                GradCheck.DEFAULT_RTOL, ALL, net.namedParameters().get("0.weight").value()).getFirst();
        assertFalse(c.passed(), c.toString());
        assertEquals(1.25, c.analytic() / c.numeric(), 0.01);
    }
}
