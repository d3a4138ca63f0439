package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DirectConvGradLanes} against plain loops, at whatever vector width the run selects. */
class DirectConvGradLanesTest {

    @Test
    void accumulateAddsEachImagesSumOverPositionsOfInputTimesOutputGradientAndTheBiasGradient() {
        Random rng = new Random(5);
        int v = Simd.LANES;
        // {channels, h, w, pad, kernel, out}: rows shorter than, equal to and past whole vectors, padding
        // 0 to k − 1 (rows ending on real input), every channel-block remainder, 9 and 25 taps and more
        int[][] cases = {{1, 5, 7, 1, 3, 3}, {1, 9, 2 * v + 3, 1, 3, 16}, {1, 12, 12, 2, 5, 6}, {1, 8, v + 4, 0, 5, 5},
                {1, 4, v, 1, 3, 7}, {2, 6, 9, 1, 3, 9}, {3, 5, 5, 2, 3, 2}, {1, 3, 3, 2, 3, 1}, {1, 40, 100, 1, 3, 16}};
        for (int[] c : cases) {
            int ch = c[0], h = c[1], w = c[2], p = c[3], k = c[4], out = c[5];
            int oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1, positions = oh * ow;
            int[] taps = DirectConvGradLanes.taps(ch, h, w, p, p, k, k);
            // two images back to back, the second's dY at the array's very end
            float[] x = random(rng, 3 + 2 * ch * h * w), dy = random(rng, 1 + 2 * out * positions);
            float[] acc = new float[DirectConvGradLanes.accSize(taps.length, out)];
            double[] db = new double[out];
            for (int i = 0; i < 2; i++) {
                DirectConvGradLanes.accumulate(x, 3 + i * ch * h * w, ch, h, w, p, p, k, k, taps, dy, 1 + i * out * positions, out, acc,
                        i == 0 ? db : null); // the bias gradient of the first image only
            }
            int kk = ch * k * k;
            float[] dw = random(rng, out * kk), before = dw.clone();
            DirectConvGradLanes.addTo(acc, kk, out, dw);
            String shape = ch + "×" + h + "×" + w + " pad " + p + " k" + k + " → " + out;
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int q = 0; q < positions; q++) s += dy[1 + o * positions + q];
                assertEquals(s, db[o], 1e-5 * Math.sqrt(positions), shape + ": bias gradient of channel " + o);
            }
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < kk; t++) {
                    int cc = t / (k * k), ki = t / k % k, kj = t % k;
                    double s = before[o * kk + t];
                    for (int i = 0; i < 2; i++) {
                        for (int y = 0; y < oh; y++) {
                            for (int q = 0; q < ow; q++) {
                                int r = y + ki - p, col = q + kj - p;
                                if (r < 0 || r >= h || col < 0 || col >= w) continue;
                                s += (double) x[3 + ((i * ch + cc) * h + r) * w + col] * dy[1 + ((i * out + o) * oh + y) * ow + q];
                            }
                        }
                    }
                    assertEquals(s, dw[o * kk + t], 2e-5 * Math.sqrt(2 * positions) + 1e-5 * Math.abs(s),
                            shape + ": channel " + o + ", tap " + t);
                }
            }
        }
    }

    @Test
    void tapsArePaddedToBlocksOfThreeWithTapZero() {
        int[] t = DirectConvGradLanes.taps(1, 4, 5, 1, 1, 5, 5); // 25 taps
        assertEquals(27, t.length);
        assertEquals(t[0], t[25]);
        assertEquals(t[0], t[26]);
        assertEquals(9, DirectConvGradLanes.taps(1, 4, 5, 1, 1, 3, 3).length);
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
