package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PoolingTest {

    /**
     * Distinct values at least 0.1 apart in shuffled order, so no window has a near-tie that a
     * finite-difference step (≤ 0.01) could flip.
     */
    static Tensor distinct(long seed, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        Collections.shuffle(order, new Random(seed));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (order.get(i) - n / 2f) * 0.1f;
        return Tensor.of(v, shape);
    }

    /** Max pooling by definition: padding never wins, window positions by bounds checks. */
    static float[] naiveMax(Tensor x, Window2d win) {
        int[] s = x.shape();
        int oh = win.outHeight(s[2]), ow = win.outWidth(s[3]);
        float[] out = new float[s[0] * s[1] * oh * ow];
        int q = 0;
        for (int n = 0; n < s[0]; n++)
            for (int c = 0; c < s[1]; c++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < win.kh(); i++)
                            for (int j = 0; j < win.kw(); j++) {
                                int iy = oy * win.sh() - win.ph() + i * win.dh(), ix = ox * win.sw() - win.pw() + j * win.dw();
                                if (iy >= 0 && iy < s[2] && ix >= 0 && ix < s[3]) m = Math.max(m, x.get(n, c, iy, ix));
                            }
                        out[q++] = m;
                    }
        return out;
    }

    /** Average pooling by definition, with padding as zeros (divisor k·k) or excluded. */
    static double[] naiveAvg(Tensor x, Window2d win, boolean includePad) {
        int[] s = x.shape();
        int oh = win.outHeight(s[2]), ow = win.outWidth(s[3]);
        double[] out = new double[s[0] * s[1] * oh * ow];
        int q = 0;
        for (int n = 0; n < s[0]; n++)
            for (int c = 0; c < s[1]; c++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = 0;
                        int count = 0;
                        for (int i = 0; i < win.kh(); i++)
                            for (int j = 0; j < win.kw(); j++) {
                                int iy = oy * win.sh() - win.ph() + i, ix = ox * win.sw() - win.pw() + j;
                                if (iy >= 0 && iy < s[2] && ix >= 0 && ix < s[3]) {
                                    sum += x.get(n, c, iy, ix);
                                    count++;
                                }
                            }
                        out[q++] = sum / (includePad ? win.kh() * win.kw() : count);
                    }
        return out;
    }

    @Test
    void maxPoolForwardMatchesTheDefinition() {
        Window2d[] windows = {Window2d.of(2, 2, 0), Window2d.of(3, 2, 1), Window2d.of(3, 1, 1),
            new Window2d(2, 3, 1, 2, 1, 1, 2, 1), Window2d.of(2, 1, 0, 2)};
        Tensor x = Tensor.randn(new Random(1), 2, 3, 7, 9);
        for (Window2d win : windows) {
            Tensor y = new MaxPool2d(win).forward(x);
            assertArrayEquals(new int[] {2, 3, win.outHeight(7), win.outWidth(9)}, y.shape(), win.toString());
            assertArrayEquals(naiveMax(x, win), y.toFloatArray(), win.toString());
        }
        assertArrayEquals(new int[] {2, 3, 3, 4}, new MaxPool2d(2).forward(x).shape(), "stride defaults to the kernel, floor mode");
    }

    @Test
    void maxPoolGradientGoesToTheMaximum() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 0, 3, 4, 7, 6, 9, 8, 1, 2, 0, 0, 3, 1}, 1, 1, 4, 4).requiresGrad(true);
        new MaxPool2d(2).forward(x).sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0}, x.grad().toFloatArray());
        // overlapping windows: a pixel that is the maximum of two windows gets both gradients
        Tensor z = Tensor.of(new float[] {0, 0, 0, 0, 9, 0, 0, 0, 0}, 1, 1, 3, 3).requiresGrad(true);
        new MaxPool2d(Window2d.of(2, 1, 0)).forward(z).sum().backward();
        assertEquals(4f, z.grad().get(0, 0, 1, 1));
    }

    @Test
    void tilingWindowsAgreeWithTheGeneralLoopOnTiesAndNaN() {
        // 2×2/2 and 3×2 with stride (3, 2) take the tiled paths: values against the definition,
        // gradients against "first maximum of the window, or first NaN". 6×41 has more windows
        // per row than a vector has lanes, and an odd width.
        for (int[] hw : new int[][] {{7, 8}, {6, 41}}) {
            int h = hw[0], w = hw[1];
            Random rng = new Random(5);
            float[] v = new float[2 * 3 * h * w];
            for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(3); // many ties
            v[5] = Float.NaN;
            v[70] = Float.NaN;
            v[71] = -0f;
            for (Window2d win : new Window2d[] {Window2d.of(2, 2, 0), new Window2d(3, 2, 3, 2, 0, 0, 1, 1)}) {
                Tensor x = Tensor.of(v.clone(), 2, 3, h, w).requiresGrad(true);
                Tensor y = MaxPool2d.maxPool2d(x, win);
                float[] expected = naiveMax(x.detach(), win);
                float[] got = y.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    if (windowHasNaN(v, win, i, h, w)) assertTrue(Float.isNaN(got[i]), win + " element " + i);
                    else assertEquals(expected[i], got[i], win + " element " + i);
                }
                Tensor g = Tensor.randn(rng, y.shape());
                y.backward(g);
                // each window's gradient lands on its first maximum (first NaN), the rest get 0
                float[] dx = x.grad().toFloatArray(), gv = g.toFloatArray();
                float[] want = new float[v.length];
                int oh = win.outHeight(h), ow = win.outWidth(w);
                for (int q = 0; q < got.length; q++) {
                    int plane = q / (oh * ow), oy = q % (oh * ow) / ow, ox = q % ow;
                    int at = -1;
                    for (int i = 0; i < win.kh() && at < 0; i++)
                        for (int j = 0; j < win.kw() && at < 0; j++) {
                            int idx = plane * h * w + (oy * win.sh() + i) * w + ox * win.sw() + j;
                            if (Float.isNaN(got[q]) ? Float.isNaN(v[idx]) : v[idx] == got[q]) at = idx;
                        }
                    want[at] += gv[q];
                }
                assertArrayEquals(want, dx, win + " " + h + "×" + w);
            }
        }
    }

    private static boolean windowHasNaN(float[] v, Window2d win, int q, int h, int w) {
        int oh = win.outHeight(h), ow = win.outWidth(w);
        int plane = q / (oh * ow), oy = q % (oh * ow) / ow, ox = q % ow;
        for (int i = 0; i < win.kh(); i++)
            for (int j = 0; j < win.kw(); j++) {
                if (Float.isNaN(v[plane * h * w + (oy * win.sh() + i) * w + ox * win.sw() + j])) return true;
            }
        return false;
    }

    @Test
    void maxPoolGradcheck() {
        for (Window2d win : new Window2d[] {Window2d.of(2, 2, 0), Window2d.of(3, 2, 1), new Window2d(3, 2, 1, 2, 1, 1, 1, 2)}) {
            Tensor x = distinct(3, 2, 2, 5, 7).requiresGrad(true);
            GradCheck.check(in -> MaxPool2d.maxPool2d(in[0], win), x);
            Tensor one = distinct(4, 1, 1, 6, 5).requiresGrad(true);
            GradCheck.check(in -> MaxPool2d.maxPool2d(in[0], win), one);
        }
    }

    @Test
    void avgPoolForwardMatchesTheDefinition() {
        Tensor x = Tensor.randn(new Random(2), 2, 3, 7, 9);
        for (Window2d win : new Window2d[] {Window2d.of(2, 2, 0), Window2d.of(3, 2, 1), new Window2d(3, 2, 1, 2, 1, 0, 1, 1)}) {
            for (boolean includePad : new boolean[] {true, false}) {
                double[] expected = naiveAvg(x, win, includePad);
                float[] got = new AvgPool2d(win, includePad).forward(x).toFloatArray();
                assertEquals(expected.length, got.length);
                for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5, win + " " + includePad);
            }
        }
    }

    @Test
    void avgPoolGradcheck() {
        for (Window2d win : new Window2d[] {Window2d.of(3, 2, 1), new Window2d(2, 3, 1, 2, 1, 1, 1, 1)}) {
            for (boolean includePad : new boolean[] {true, false}) {
                Tensor x = Tensor.randn(new Random(5), 2, 2, 5, 7).requiresGrad(true);
                GradCheck.check(in -> AvgPool2d.avgPool2d(in[0], win, includePad), x);
                Tensor one = Tensor.randn(new Random(6), 1, 1, 4, 3).requiresGrad(true);
                GradCheck.check(in -> AvgPool2d.avgPool2d(in[0], win, includePad), one);
            }
        }
    }

    @Test
    void poolingErrorsNameTheShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
        assertTrue(e.getMessage().contains("[N, C, H, W]") && e.getMessage().contains("[4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(3).forward(Tensor.zeros(1, 1, 2, 5)));
        assertTrue(e.getMessage().contains("larger than the padded input 2×5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertTrue(e.getMessage().contains("at most half"), e.getMessage());
    }

    @Test
    void flattenMergesAllButTheBatchAxis() {
        Tensor x = Tensor.randn(new Random(3), 2, 3, 4, 5).requiresGrad(true);
        Tensor y = new Flatten().forward(x);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
        assertArrayEquals(new int[] {120}, new Flatten(0, -1).forward(x).shape());
        GradCheck.check(in -> new Flatten().forward(in[0]).mul(in[0].reshape(2, 60)), x);
        assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(x));
    }
}
