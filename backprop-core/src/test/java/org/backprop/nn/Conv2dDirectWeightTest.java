package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The stride-1 weight and bias gradients without im2col ({@link Conv2dDirect#backward}) against
 * the im2col + GEMM ones ({@code backprop.convWeight=im2col}), and their bits under every thread
 * split and thread count.
 */
class Conv2dDirectWeightTest {

    /** dx, dW, db of one forward and backward pass, with {@code backprop.convWeight} set to {@code path}. */
    private static float[][] pass(String path, int n, int c, int h, int w, int outC, Window2d win, long seed) {
        String old = System.getProperty("backprop.convWeight");
        System.setProperty("backprop.convWeight", path);
        try {
            Random rng = new Random(seed);
            Conv2d conv = new Conv2d(c, outC, win, true, rng);
            Tensor x = Tensor.randn(rng, n, c, h, w).requiresGrad(true);
            Tensor y = conv.forward(x);
            y.mul(Tensor.randn(rng, y.shape())).sum().backward();
            return new float[][] {x.grad().toFloatArray(), conv.weight.grad().toFloatArray(), conv.bias.grad().toFloatArray()};
        } finally {
            if (old == null) System.clearProperty("backprop.convWeight");
            else System.setProperty("backprop.convWeight", old);
        }
    }

    private static void assertPathsAgree(int n, int c, int h, int w, int outC, Window2d win) {
        assertTrue(Conv2dDirect.use(win) && Conv2dDirect.useForWeight(c * win.kh() * win.kw(), outC),
                win + " on " + c + " → " + outC + " should take the direct path");
        float[][] direct = pass("direct", n, c, h, w, outC, win, 9), lowered = pass("im2col", n, c, h, w, outC, win, 9);
        String[] names = {"input gradient", "weight gradient", "bias gradient"};
        for (int k = 0; k < names.length; k++) {
            assertEquals(lowered[k].length, direct[k].length, names[k]);
            for (int i = 0; i < direct[k].length; i++) {
                assertEquals(lowered[k][i], direct[k][i], 2e-5 * (1 + Math.abs(lowered[k][i])),
                        names[k] + " " + i + " of batch " + n + ", " + win + " on " + c + "×" + h + "×" + w + " → " + outC);
            }
        }
    }

    @Test
    void directAndIm2colWeightGradientsAgree() {
        int v = Math.max(Simd.LANES, 2);
        // odd sizes, channels not a multiple of the vector width, padding 0/1/2, kernels 3 and 5, batches 1 and 3
        assertPathsAgree(1, 4, 9, 13, v / 2 + 1, Window2d.of(3, 1, 1)); // 36 taps, a panel just over half full
        assertPathsAgree(3, 8, 7, 11, v + 3, Window2d.of(3, 1, 0));
        assertPathsAgree(3, 5, 11, 9, 2 * v + 1, Window2d.of(5, 1, 2));
        assertPathsAgree(1, 15, 5, 17, 4 * v + 3, Window2d.of(3, 1, 2)); // padding k − 1; four panels and one
        assertPathsAgree(3, 6, 14, 14, 16, Window2d.of(5, 1, 0));        // LeNet's second layer
        assertPathsAgree(3, 11, 13, 3, v - 1, Window2d.of(3, 1, 1));     // output rows of three positions
        assertPathsAgree(9, 4, 5, 5, v + 1, Window2d.of(3, 1, 1));       // more images than groups
        if (Simd.LANES > 1) { // output positions in the lanes (DirectConvGradLanes): output channels under a vector
            assertPathsAgree(3, 1, 13, 21, v - 1, Window2d.of(3, 1, 1));    // one input channel, 3×3
            assertPathsAgree(2, 1, 12, 12, 6, Window2d.of(5, 1, 2));        // LeNet's first layer, smaller
            assertPathsAgree(1, 1, 7, 19, 5, Window2d.of(5, 1, 0));         // no padding: rows end on real input
            assertPathsAgree(3, 1, 6, v, 7, Window2d.of(3, 1, 1));          // rows of whole vectors
            assertPathsAgree(9, 1, 5, 2 * v + 3, 3, Window2d.of(3, 1, 1));  // more images than groups
            assertPathsAgree(3, 2, 9, 11, 6, Window2d.of(3, 1, 1));         // two input channels
            assertPathsAgree(1, 1, 4, 3, 1, Window2d.of(3, 1, 2));          // padding k − 1, one output channel
        }
    }

    @Test
    void mostlyPaddedChannelBlocksPutThePositionsInTheLanes() {
        // 6 channels in 16 lanes ran slower on channel lanes (LeNet's first layer); at 8 lanes they fill most of a vector
        assertEquals(Simd.LANES >= 12, !Conv2dDirect.overChannels(6 * 25, 6));
        assertTrue(Conv2dDirect.overChannels(16 * 9, 16));
        assertFalse(Conv2dDirect.overChannels(9, 16), "one input channel, 3×3: 9 taps in a block of 12");
        assertFalse(Conv2dDirect.overChannels(25, 16), "one input channel, 5×5: 25 taps in 36");
        assertEquals(Simd.LANES > 6, Conv2dDirect.useForWeight(25, 6), "LeNet's first layer: positions in the lanes");
        assertFalse(Conv2dDirect.useForWeight(9, 16), "the spoken-digit CNN's first layer stays on im2col");
    }

    /**
     * The bits do not depend on the thread split: the backward pass split over the threads, run
     * serially, and run inside a part of another parallel loop give the same gradients.
     */
    @Test
    void theThreadSplitDoesNotChangeTheBits() {
        // channel lanes (4 → 20) and position lanes (1 → 6)
        for (int[] c : new int[][] {{4, 20}, {1, 6}}) {
            if (!Conv2dDirect.useForWeight(9 * c[0], c[1])) continue; // no position lanes without vectors
            Window2d win = Window2d.of(3, 1, 1);
            float[][] split = withSplit(Parallel.Split.FIXED, () -> pass("direct", 11, c[0], 13, 10, c[1], win, 11));
            float[][] serial = withSplit(Parallel.Split.SERIAL, () -> pass("direct", 11, c[0], 13, 10, c[1], win, 11));
            float[][][] nested = new float[1][][];
            Parallel.forEach(2, part -> {
                if (part == 0) nested[0] = pass("direct", 11, c[0], 13, 10, c[1], win, 11);
            });
            for (int k = 0; k < split.length; k++) {
                assertArrayEquals(bits(serial[k]), bits(split[k]), c[0] + " → " + c[1] + ": serial against split, result " + k);
                assertArrayEquals(bits(serial[k]), bits(nested[0][k]), c[0] + " → " + c[1] + ": serial against nested, result " + k);
            }
        }
    }

    /**
     * Nor on the thread count: the images are grouped by the batch size alone, so one part (as on
     * one thread) and as many parts as there are threads give the same bits.
     */
    @Test
    void thePartCountDoesNotChangeTheBits() {
        partCountKeepsTheBits(3, 18); // channel lanes
        partCountKeepsTheBits(1, 6);  // position lanes
    }

    private static void partCountKeepsTheBits(int c, int outC) {
        Random rng = new Random(12);
        Window2d win = Window2d.of(3, 1, 1);
        int n = 13, h = 9, w = 7, oh = win.outHeight(h), ow = win.outWidth(w);
        float[] x = Tensor.randn(rng, n, c, h, w).toFloatArray(), dy = Tensor.randn(rng, n, outC, oh, ow).toFloatArray();
        float[] wt = Tensor.randn(rng, outC, c, 3, 3).toFloatArray();
        boolean byRows = Conv2dDirect.inputByRows(c, h, w, win); // 7-wide rows: the input gradient by rows, four images at a time at 16 lanes
        float[] flipped = org.backprop.kernel.DirectConv.packFlipped(wt, 0, outC, c, 3, 3,
                byRows ? org.backprop.kernel.DirectConv.ROW_GROUP : org.backprop.kernel.DirectConv.ROWS);
        float[][] results = new float[2][];
        for (int r = 0; r < 2; r++) {
            float[] dx = new float[x.length];
            float[][] wb = Conv2dDirect.backward(x, 0, dy, 0, n, c, h, w, win, flipped, byRows, outC, dx, true, true,
                    r == 0 ? Long.MAX_VALUE : 1);
            float[] all = new float[dx.length + wb[0].length + wb[1].length];
            System.arraycopy(dx, 0, all, 0, dx.length);
            System.arraycopy(wb[0], 0, all, dx.length, wb[0].length);
            System.arraycopy(wb[1], 0, all, dx.length + wb[0].length, wb[1].length);
            results[r] = all;
        }
        assertArrayEquals(bits(results[0]), bits(results[1]));
    }

    private static float[][] withSplit(Parallel.Split mode, java.util.function.Supplier<float[][]> body) {
        Parallel.Split old = Parallel.setSplit(mode);
        try {
            return body.get();
        } finally {
            Parallel.setSplit(old);
        }
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
