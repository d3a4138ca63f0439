package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.kernel.Parallel;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Sequential's fused BatchNorm2d → ReLU → MaxPool2d ({@link BatchNormReluPool}) against the
 * three layers run one by one: the same bits in values, every gradient and the running statistics,
 * in training and in evaluation; and its gradients against finite differences.
 */
class BatchNormReluPoolTest {

    /** Two BatchNorm2d layers with the same random γ, β and running statistics. */
    private static BatchNorm2d[] twins(int c, Random rng) {
        BatchNorm2d a = new BatchNorm2d(c), b = new BatchNorm2d(c);
        for (int i = 0; i < c; i++) {
            float gamma = (float) rng.nextGaussian(), beta = (float) rng.nextGaussian(); // some γ negative
            float mean = (float) rng.nextGaussian(), var = 0.5f + rng.nextFloat();
            for (BatchNorm2d bn : new BatchNorm2d[] {a, b}) {
                bn.weight.value().array()[i] = gamma;
                bn.bias.value().array()[i] = beta;
                bn.runningMean.array()[i] = mean;
                bn.runningVar.array()[i] = var;
            }
        }
        return new BatchNorm2d[] {a, b};
    }

    /** Gaussian values with ties (a few values repeated) and exact zeros. */
    private static Tensor input(Random rng, int... shape) {
        Tensor x = Tensor.randn(rng, shape);
        float[] v = x.array();
        for (int i = 0; i < v.length; i++) {
            int r = rng.nextInt(12);
            if (r == 0) v[i] = 0.25f;
            else if (r == 1) v[i] = 0f;
        }
        return x;
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + " fused, " + expected[i] + " layer by layer");
            }
        }
    }

    @Test
    void fusedEqualsTheLayersOneByOneBitForBit() {
        Random rng = new Random(11);
        // 20×50 and 6×18: planes that are no whole number of vectors (at 512 and 256 bits) with rows
        // of a vector of windows or more, where the input gradient's last cells are redone apart
        int[][] shapes = {{2, 3, 6, 8}, {3, 2, 5, 7}, {1, 2, 4, 4}, {4, 2, 40, 100}, {2, 3, 9, 34}, {2, 2, 20, 50}, {3, 2, 6, 18}};
        for (int[] shape : shapes) {
            for (boolean training : new boolean[] {true, false}) {
                BatchNorm2d[] bn = twins(shape[1], rng);
                Sequential fused = new Sequential(bn[0], new Activation.ReLU(), new MaxPool2d(2));
                if (!training) fused.eval();
                if (!training) bn[1].eval();
                Tensor x = input(rng, shape).requiresGrad(true);
                Tensor y = fused.forward(x);
                Tensor g = Tensor.randn(rng, y.shape());
                y.backward(g);

                Tensor x2 = x.detach().requiresGrad(true);
                Tensor y2 = new MaxPool2d(2).forward(new Activation.ReLU().forward(bn[1].forward(x2)));
                y2.backward(g);
                String at = java.util.Arrays.toString(shape) + (training ? " training" : " eval");
                assertSameBits(y2.toFloatArray(), y.toFloatArray(), "output " + at);
                assertSameBits(x2.grad().toFloatArray(), x.grad().toFloatArray(), "dx " + at);
                assertSameBits(bn[1].weight.grad().toFloatArray(), bn[0].weight.grad().toFloatArray(), "dγ " + at);
                assertSameBits(bn[1].bias.grad().toFloatArray(), bn[0].bias.grad().toFloatArray(), "dβ " + at);
                assertSameBits(bn[1].runningMean.toFloatArray(), bn[0].runningMean.toFloatArray(), "running mean " + at);
                assertSameBits(bn[1].runningVar.toFloatArray(), bn[0].runningVar.toFloatArray(), "running var " + at);
                assertEquals(bn[1].numBatchesTracked.item(), bn[0].numBatchesTracked.item(), at);
            }
        }
    }

    @Test
    void aWindowThatDoesNotTileFallsBackToTheLayers() {
        Random rng = new Random(12);
        BatchNorm2d[] bn = twins(2, rng);
        Tensor x = input(rng, 2, 2, 7, 7);
        MaxPool2d pool = new MaxPool2d(3, 2, 1);
        Tensor y = new Sequential(bn[0], new Activation.ReLU(), pool).forward(x);
        Tensor y2 = pool.forward(new Activation.ReLU().forward(bn[1].forward(x)));
        assertArrayEquals(y2.toFloatArray(), y.toFloatArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(13);
        for (int[] shape : new int[][] {{2, 2, 4, 6}, {3, 1, 5, 5}}) {
            BatchNorm2d bn = twins(shape[1], rng)[0];
            for (boolean training : new boolean[] {true, false}) {
                if (training) bn.train(); else bn.eval();
                Tensor x = Tensor.randn(rng, shape).requiresGrad(true);
                // through the fused op with x, γ and β as inputs (the layer's own tensors, perturbed in place)
                GradCheck.check(in -> BatchNormReluPool.apply(in[0], training ? null : bn.runningMean, training ? null : bn.runningVar,
                        in[1], in[2], training, 0.1f, 1e-5f, "bn",
                        org.backprop.shape.Window2d.of(2, 2, 0)), 1e-3, 2e-3, 2e-2, x, bn.weight.value(), bn.bias.value());
                Sequential block = new Sequential(bn, new Activation.ReLU(), new MaxPool2d(2));
                GradCheck.check(in -> block.forward(in[0]), 1e-3, 2e-3, 2e-2, x);
            }
        }
    }

    @Test
    void theThreadSplitDoesNotChangeTheBits() {
        Random rng = new Random(14);
        BatchNorm2d[] bn = twins(8, rng);
        Tensor x = input(rng, 16, 8, 24, 32).requiresGrad(true);
        Tensor y = new Sequential(bn[0], new Activation.ReLU(), new MaxPool2d(2)).forward(x);
        Tensor g = Tensor.randn(rng, y.shape());
        y.backward(g);
        Tensor x2 = x.detach().requiresGrad(true);
        Tensor[] alone = new Tensor[1];
        Parallel.forEach(2, part -> { // nested in a parallel loop, the op runs on one thread
            if (part == 0) {
                alone[0] = new Sequential(bn[1], new Activation.ReLU(), new MaxPool2d(2)).forward(x2);
                alone[0].backward(g);
            }
        });
        assertSameBits(alone[0].toFloatArray(), y.toFloatArray(), "output");
        assertSameBits(x2.grad().toFloatArray(), x.grad().toFloatArray(), "dx");
        assertSameBits(bn[1].weight.grad().toFloatArray(), bn[0].weight.grad().toFloatArray(), "dγ");
    }
}
