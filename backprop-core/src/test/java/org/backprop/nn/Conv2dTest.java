package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.autograd.GradMode;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Conv2dTest {

    /**
     * PyTorch's values (scripts/torch_rnn_fixtures.py): 16 → 32 channels on 3×3 images (dW on the
     * channel-panel kernel); LeNet-5's first layer, 1 → 6 channels 5×5 on 13×17 images (dW with
     * positions in the lanes); 8 → 16 channels on 9×21 images (the 8-row blocks of the correlation).
     */
    @ParameterizedTest
    @CsvSource({"conv2d_wide, 16, 32, 3, 1", "conv2d_first, 1, 6, 5, 2", "conv2d_grid, 8, 16, 3, 1"})
    void layerMatchesPyTorch(String fixture, int in, int out, int kernel, int padding) {
        TorchFixture f = TorchFixture.load(fixture);
        Conv2d conv = new Conv2d(in, out, kernel, 1, padding, new Random(0));
        conv.loadStateDict(f.tensors("params"));
        Tensor x = f.tensor("input").requiresGrad(true);
        Tensor y = conv.forward(x);
        TorchFixture.assertClose(f.tensor("output"), y, 1e-5, "conv2d");
        y.mul(f.tensor("w_out")).sum().backward();
        TorchFixture.assertClose(f.tensors("grads").get("weight"), conv.weight.grad(), 1e-4, "d weight");
        TorchFixture.assertClose(f.tensors("grads").get("bias"), conv.bias.grad(), 1e-4, "d bias");
        TorchFixture.assertClose(f.tensor("grad_input"), x.grad(), 1e-4, "d input");
    }

    /**
     * The same fixtures on the lowered path (im2col + GEMM for the output and both gradients, the
     * spoken-digit CNN's first-layer weight gradient takes it), whose weight and bias gradients are
     * summed over fixed groups of images.
     */
    @ParameterizedTest
    @CsvSource({"conv2d_wide, 16, 32, 3, 1", "conv2d_first, 1, 6, 5, 2", "conv2d_grid, 8, 16, 3, 1"})
    void loweredLayerMatchesPyTorch(String fixture, int in, int out, int kernel, int padding) {
        String conv = System.getProperty("backprop.conv"), weight = System.getProperty("backprop.convWeight");
        System.setProperty("backprop.conv", "im2col");
        System.setProperty("backprop.convWeight", "im2col");
        try {
            layerMatchesPyTorch(fixture, in, out, kernel, padding);
        } finally {
            if (conv == null) System.clearProperty("backprop.conv");
            else System.setProperty("backprop.conv", conv);
            if (weight == null) System.clearProperty("backprop.convWeight");
            else System.setProperty("backprop.convWeight", weight);
        }
    }

    /** The definition, in double: seven nested loops, zero padding by bounds checks. */
    static double[] naiveConv(float[] x, int n, int c, int h, int w, float[] wt, int outC, float[] b, Window2d win) {
        int oh = (h + 2 * win.ph() - win.dh() * (win.kh() - 1) - 1) / win.sh() + 1;
        int ow = (w + 2 * win.pw() - win.dw() * (win.kw() - 1) - 1) / win.sw() + 1;
        double[] y = new double[n * outC * oh * ow];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < outC; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < win.kh(); ky++)
                                for (int kx = 0; kx < win.kw(); kx++) {
                                    int iy = oy * win.sh() - win.ph() + ky * win.dh();
                                    int ix = ox * win.sw() - win.pw() + kx * win.dw();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += (double) x[((i * c + ci) * h + iy) * w + ix]
                                            * wt[((o * c + ci) * win.kh() + ky) * win.kw() + kx];
                                }
                        y[((i * outC + o) * oh + oy) * ow + ox] = s;
                    }
        return y;
    }

    private static void assertMatchesNaive(int n, int c, int h, int w, int outC, Window2d win, boolean bias, long seed) {
        Random rng = new Random(seed);
        Conv2d conv = new Conv2d(c, outC, win, bias, rng);
        Tensor x = Tensor.randn(rng, n, c, h, w);
        Tensor y = conv.forward(x);
        double[] expected = naiveConv(x.toFloatArray(), n, c, h, w, conv.weight.data(), outC,
                bias ? conv.bias.data() : null, win);
        assertArrayEquals(new int[] {n, outC, win.outHeight(h), win.outWidth(w)}, y.shape());
        float[] got = y.toFloatArray();
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-4, "element " + i + " for " + win);
    }

    @Test
    void forwardMatchesTheSevenLoopDefinition() {
        assertMatchesNaive(2, 3, 7, 9, 4, Window2d.of(3), true, 1);
        assertMatchesNaive(1, 2, 8, 5, 3, Window2d.of(3, 2, 1), true, 2);
        assertMatchesNaive(3, 2, 9, 7, 5, Window2d.of(3, 1, 2, 2), false, 3);
        assertMatchesNaive(2, 1, 6, 11, 2, new Window2d(2, 3, 1, 2, 0, 1, 1, 2), true, 4);
        assertMatchesNaive(1, 3, 5, 5, 2, new Window2d(1, 1, 1, 1, 0, 0, 1, 1), true, 5);
        // large enough to take the parallel im2col path and the packed GEMM
        assertMatchesNaive(4, 8, 14, 13, 16, Window2d.of(3, 1, 1), true, 6);
        // more output positions than one product takes: several chunks of images, the last one partial
        assertMatchesNaive(5, 2, 40, 41, 3, Window2d.of(3, 1, 1), true, 7);
    }

    /** One input channel (first layers): LeNet's and the small CNN's windows, wide rows, odd channel counts. */
    @Test
    void oneChannelImagesConvolveAsDefined() {
        assertMatchesNaive(3, 1, 28, 28, 6, Window2d.of(5, 1, 2), true, 31);                // LeNet's first layer
        assertMatchesNaive(2, 1, 28, 28, 16, Window2d.of(3, 1, 1), false, 32);              // the small CNN's
        assertMatchesNaive(1, 1, 9, 70, 5, Window2d.of(3, 1, 1), true, 33);                 // rows of several vector blocks
        assertMatchesNaive(2, 1, 7, 6, 9, new Window2d(3, 5, 1, 1, 1, 2, 1, 1), true, 34);  // 3×5 window, 4 + 4 + 1 channels
        assertMatchesNaive(2, 1, 8, 9, 3, Window2d.of(4), true, 35);                       // no padding, even kernel
        assertMatchesNaive(1, 1, 4, 5, 2, Window2d.of(1), true, 36);                       // 1×1
        // images smaller than the padding: the column rows of a window that misses the image are all 0
        assertMatchesNaive(4, 2, 1, 1, 3, Window2d.of(5, 1, 2), true, 42);
        assertMatchesNaive(3, 1, 1, 3, 2, Window2d.of(5, 1, 2), false, 43);
        gradcheck(1, 1, 6, 7, 5, Window2d.of(3, 1, 1), true, 37);                          // batch 1, 4 + 1 channels
        gradcheck(2, 1, 5, 9, 4, new Window2d(2, 3, 1, 1, 0, 1, 1, 1), false, 38);         // 2×3, padding on one axis
        gradcheck(3, 1, 7, 5, 6, Window2d.of(5, 1, 2), true, 39);                          // LeNet's window on a small image
        sumGradients(2, 1, 5, 6, 40);
        sumGradients(2, 1, 40, 3, 41); // 40 columns: more than one block of two vectors
    }

    @Test
    void forwardUnderNoGradGivesTheSameValues() {
        Random rng = new Random(7);
        Conv2d conv = new Conv2d(3, 4, Window2d.of(3, 2, 1), true, rng);
        Tensor x = Tensor.randn(rng, 2, 3, 9, 8);
        float[] withGrad = conv.forward(x).toFloatArray();
        Tensor y;
        try (var s = GradMode.noGrad()) {
            y = conv.forward(x);
        }
        assertNull(y.gradFn());
        assertArrayEquals(withGrad, y.toFloatArray());
    }

    private static void gradcheck(int n, int c, int h, int w, int outC, Window2d win, boolean bias, long seed) {
        Random rng = new Random(seed);
        Conv2d conv = new Conv2d(c, outC, win, bias, rng);
        Tensor x = Tensor.randn(rng, n, c, h, w).requiresGrad(true);
        Tensor[] inputs = bias ? new Tensor[] {x, conv.weight.value(), conv.bias.value()}
                : new Tensor[] {x, conv.weight.value()};
        GradCheck.check(in -> Conv2d.conv2d(in[0], in[1], bias ? in[2] : null, win), inputs);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        gradcheck(2, 2, 5, 7, 3, Window2d.of(3), true, 11);                      // plain, odd H and W
        gradcheck(1, 3, 7, 6, 2, Window2d.of(3, 2, 1), true, 12);                // batch 1, stride 2, padding 1
        gradcheck(2, 2, 7, 7, 2, Window2d.of(3, 1, 2, 2), false, 13);            // dilation 2, no bias
        gradcheck(1, 2, 6, 9, 3, new Window2d(2, 3, 2, 1, 1, 0, 1, 2), true, 14); // non-square everything
        gradcheck(3, 1, 5, 5, 2, new Window2d(5, 1, 1, 1, 2, 0, 1, 1), true, 15); // 5×1 kernel, padding on one axis
        gradcheck(2, 4, 5, 6, 9, Window2d.of(3, 1, 1), true, 16);                // dW without im2col: 36 taps, 9 channels
        gradcheck(2, 4, 4, 5, 5, Window2d.of(5, 1, 2), true, 17);                // and 100 taps (108 padded), at 8 lanes
    }

    /**
     * For L = Σ y the gradients have closed forms: dL/db[o] = N·OH·OW; dL/dW[o, c, i, j] = the sum
     * of the pixels under tap (i, j) over every output position; dL/dx[c, y, x] = the sum of
     * W[o, c, i, j] over the (o, i, j) whose tap lands on that pixel.
     */
    private static void sumGradients(int n, int c, int hw, int outC, long seed) {
        Random rng = new Random(seed);
        Conv2d conv = new Conv2d(c, outC, Window2d.of(3, 1, 1), true, rng);
        Tensor x = Tensor.randn(rng, n, c, hw, hw).requiresGrad(true);
        conv.forward(x).sum().backward();
        for (int o = 0; o < outC; o++) assertEquals(n * hw * hw, conv.bias.grad().get(o), 1e-6 * n * hw * hw);
        float[] xd = x.toFloatArray();
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double s = 0;
                    for (int b = 0; b < n; b++)
                        for (int oy = 0; oy < hw; oy++)
                            for (int ox = 0; ox < hw; ox++) {
                                int iy = oy - 1 + i, ix = ox - 1 + j;
                                if (iy >= 0 && iy < hw && ix >= 0 && ix < hw) s += xd[((b * c + ci) * hw + iy) * hw + ix];
                            }
                    for (int o = 0; o < outC; o++) assertEquals(s, conv.weight.grad().get(o, ci, i, j), 1e-4 * (1 + Math.abs(s)));
                }
            }
        }
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < c; ci++)
                for (int iy = 0; iy < hw; iy++)
                    for (int ix = 0; ix < hw; ix++) {
                        double s = 0;
                        for (int o = 0; o < outC; o++)
                            for (int i = 0; i < 3; i++)
                                for (int j = 0; j < 3; j++) {
                                    int oy = iy + 1 - i, ox = ix + 1 - j;
                                    if (oy >= 0 && oy < hw && ox >= 0 && ox < hw) s += conv.weight.value().get(o, ci, i, j);
                                }
                        assertEquals(s, x.grad().get(b, ci, iy, ix), 1e-5, "dx at " + b + "," + ci + "," + iy + "," + ix);
                    }
    }

    @Test
    void gradientsOfASumHaveTheirClosedForms() {
        sumGradients(2, 2, 5, 3, 21);
        sumGradients(5, 2, 40, 3, 22); // several chunks of images, the last one partial
        sumGradients(3, 16, 12, 32, 23); // a weight gradient of 32 × 144 entries: the packed product, not dot products
    }

    @Test
    void defaultInitialisationIsPyTorchs() {
        Conv2d conv = new Conv2d(4, 8, 3, new Random(5));
        double bound = 1 / Math.sqrt(4 * 9);
        float max = 0;
        for (float v : conv.weight.data()) max = Math.max(max, Math.abs(v));
        for (float v : conv.bias.data()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.8 * bound, "weights fill U(−1/√fan_in, 1/√fan_in): max |w| = " + max);
        assertArrayEquals(new int[] {8, 4, 3, 3}, conv.weight.shape());
        assertEquals(8 * 4 * 9 + 8, conv.parameterCount());
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(conv.stateDict().keySet()));
    }

    @Test
    void badShapesGiveClearErrors() {
        Conv2d conv = new Conv2d(3, 4, 5, new Random(1));
        var e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 2, 8, 8)));
        assertTrue(e.getMessage().contains("[N, 3, H, W]") && e.getMessage().contains("[2, 2, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(3, 8, 8)));
        assertTrue(e.getMessage().contains("[3, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 3, 4, 9)));
        assertTrue(e.getMessage().contains("larger than the padded input 4×9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Window2d.of(3, 0, 1));
    }
}
