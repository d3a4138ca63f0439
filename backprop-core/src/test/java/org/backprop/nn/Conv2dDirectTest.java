package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.kernel.Parallel;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The direct path of stride-1 convolutions ({@link Conv2dDirect}) against the im2col + GEMM path
 * it replaces, in values and gradients; and its bits under every thread split. The other
 * Conv2d tests (the seven-loop definition, finite differences, PyTorch's values) run on the
 * direct path already, being stride 1.
 */
class Conv2dDirectTest {

    /** out, dx, dW, db of one forward and backward pass, with {@code backprop.conv} set to {@code path}. */
    private static float[][] pass(String path, int n, int c, int h, int w, int outC, Window2d win, long seed) {
        String old = System.getProperty("backprop.conv");
        System.setProperty("backprop.conv", path);
        try {
            Random rng = new Random(seed);
            Conv2d conv = new Conv2d(c, outC, win, true, rng);
            Tensor x = Tensor.randn(rng, n, c, h, w).requiresGrad(true);
            Tensor y = conv.forward(x);
            y.mul(Tensor.randn(rng, y.shape())).sum().backward();
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), conv.weight.grad().toFloatArray(),
                    conv.bias.grad().toFloatArray()};
        } finally {
            if (old == null) System.clearProperty("backprop.conv");
            else System.setProperty("backprop.conv", old);
        }
    }

    private static void assertPathsAgree(int n, int c, int h, int w, int outC, Window2d win) {
        assertTrue(Conv2dDirect.use(win), win + " should take the direct path");
        float[][] direct = pass("direct", n, c, h, w, outC, win, 7), lowered = pass("im2col", n, c, h, w, outC, win, 7);
        String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int k = 0; k < names.length; k++) {
            assertEquals(lowered[k].length, direct[k].length, names[k]);
            for (int i = 0; i < direct[k].length; i++) {
                assertEquals(lowered[k][i], direct[k][i], 1e-4 * (1 + Math.abs(lowered[k][i])),
                        names[k] + " " + i + " for " + win + " on " + c + "×" + h + "×" + w + " → " + outC);
            }
        }
    }

    @Test
    void directAndIm2colPathsAgree() {
        assertPathsAgree(3, 1, 7, 9, 6, Window2d.of(3, 1, 1));    // a first layer: one channel, 6 = 4 + 2 outputs
        assertPathsAgree(2, 1, 12, 12, 6, Window2d.of(5, 1, 2));  // LeNet's first layer, smaller
        assertPathsAgree(2, 6, 14, 14, 16, Window2d.of(5, 1, 0)); // LeNet's second layer: no padding
        assertPathsAgree(2, 3, 4, 21, 5, Window2d.of(3, 1, 1));   // rows wider than a vector, few of them
        assertPathsAgree(2, 2, 6, 6, 3, Window2d.of(2, 1, 1));    // an even kernel: output larger than the input
        assertPathsAgree(2, 5, 9, 4, 7, Window2d.of(3, 1, 0));    // rows of 2 outputs, much narrower than a vector
        assertPathsAgree(1, 2, 5, 3, 9, Window2d.of(3, 1, 2));    // padding k − 1: the input gradient pads by 0
        assertPathsAgree(2, 2, 5, 7, 4, new Window2d(3, 2, 1, 1, 1, 1, 1, 1)); // a 3×2 window
    }

    /** The by-rows passes (LeNet-5's shapes, a batch not a multiple of their blocks) give the grid's bits. */
    @Test
    void byRowsAndGridGiveTheSameBits() {
        assertTrue(Conv2dDirect.inputByRows(6, 14, 14, Window2d.of(5, 1, 0)), "LeNet's second layer: input gradient by rows");
        assertTrue(Conv2dDirect.forwardByRows(28, 28, Window2d.of(5, 1, 2), 6), "LeNet's first layer: forward by rows");
        int[][] shapes = {{7, 6, 14, 14, 16, 0}, {5, 1, 28, 28, 6, 2}, {3, 6, 12, 9, 16, 1}};
        for (int[] s : shapes) {
            String old = System.getProperty("backprop.convRows");
            float[][] rows, grid;
            try {
                System.clearProperty("backprop.convRows");
                rows = pass("direct", s[0], s[1], s[2], s[3], s[4], Window2d.of(5, 1, s[5]), 3);
                System.setProperty("backprop.convRows", "off");
                grid = pass("direct", s[0], s[1], s[2], s[3], s[4], Window2d.of(5, 1, s[5]), 3);
            } finally {
                if (old == null) System.clearProperty("backprop.convRows");
                else System.setProperty("backprop.convRows", old);
            }
            for (int k = 0; k < rows.length; k++) {
                int[] a = new int[rows[k].length], b = new int[grid[k].length];
                for (int i = 0; i < a.length; i++) a[i] = Float.floatToRawIntBits(rows[k][i]);
                for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(grid[k][i]);
                assertArrayEquals(b, a, "result " + k + " of " + java.util.Arrays.toString(s));
            }
        }
    }

    @Test
    void otherWindowsKeepIm2col() {
        assertTrue(!Conv2dDirect.use(Window2d.of(3, 2, 1)), "stride 2");
        assertTrue(!Conv2dDirect.use(Window2d.of(3, 1, 2, 2)), "dilation 2");
        assertTrue(!Conv2dDirect.use(Window2d.of(3, 1, 3)), "padding as large as the kernel");
    }

    @Test
    void theThreadSplitDoesNotChangeTheBits() {
        Window2d win = Window2d.of(3, 1, 1);
        Parallel.Split old = Parallel.setSplit(Parallel.Split.FIXED);
        float[][] split;
        try {
            split = pass("direct", 8, 4, 24, 24, 16, win, 11);
        } finally {
            Parallel.setSplit(old);
        }
        old = Parallel.setSplit(Parallel.Split.SERIAL);
        float[][] serial;
        try {
            serial = pass("direct", 8, 4, 24, 24, 16, win, 11);
        } finally {
            Parallel.setSplit(old);
        }
        for (int k = 0; k < split.length; k++) {
            int[] a = new int[split[k].length], b = new int[serial[k].length];
            for (int i = 0; i < a.length; i++) a[i] = Float.floatToRawIntBits(split[k][i]);
            for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(serial[k][i]);
            assertArrayEquals(b, a, "result " + k);
        }
    }
}
