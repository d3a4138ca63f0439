package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DirectConvGrad}'s pieces against plain loops, at whatever vector width the run selects. */
class DirectConvGradTest {

    @Test
    void transposePutsEachChannelInItsPanelLane() {
        Random rng = new Random(3);
        int v = Simd.LANES;
        // channels below, at and past whole panels; positions not a multiple of a vector
        for (int out : new int[] {1, 5, v, v + 3, 2 * v, 3 * v + 1}) {
            for (int positions : new int[] {1, 7, v, 3 * v + 5}) {
                float[] dy = random(rng, 2 + out * positions);
                float[] dyT = new float[DirectConvGrad.transposedSize(out, positions)];
                DirectConvGrad.transpose(dy, 2, out, positions, dyT);
                for (int o = 0; o < out; o++) {
                    for (int q = 0; q < positions; q++) {
                        assertEquals(dy[2 + o * positions + q], dyT[((o / v) * positions + q) * v + o % v],
                                "out " + out + ", positions " + positions + ", o " + o + ", q " + q);
                    }
                }
            }
        }
    }

    @Test
    void accumulateAddsTheSumOverPositionsOfInputTimesOutputGradient() {
        Random rng = new Random(4);
        int v = Simd.LANES;
        // {channels, oh, ow, kernel, out}: odd sizes, one and several tap blocks, every panel count the kernel blocks by
        int[][] cases = {{1, 5, 7, 3, 3}, {2, 9, 4, 3, v + 1}, {3, 6, 11, 5, 2 * v}, {5, 3, 3, 3, 3 * v + 2},
                {2, 13, 25, 3, 4 * v + 1}, {1, 150, 3, 3, 9}};
        for (int[] c : cases) {
            int ch = c[0], oh = c[1], ow = c[2], k = c[3], out = c[4];
            int wp = ow + k - 1, plane = (oh + k - 1) * wp, positions = oh * ow, ld = DirectConvGrad.accWidth(out);
            int[] taps = DirectConvGrad.taps(ch, k, k, plane, wp);
            float[] src = random(rng, 1 + ch * plane), dy = random(rng, out * positions);
            float[] dyT = new float[DirectConvGrad.transposedSize(out, positions)];
            DirectConvGrad.transpose(dy, 0, out, positions, dyT);
            float[] acc = random(rng, taps.length * ld), before = acc.clone();
            DirectConvGrad.accumulate(src, 1, taps, wp, oh, ow, dyT, out, acc);
            for (int t = 0; t < ch * k * k; t++) {
                for (int o = 0; o < out; o++) {
                    double s = before[t * ld + o];
                    for (int y = 0; y < oh; y++) {
                        for (int x = 0; x < ow; x++) s += (double) src[1 + taps[t] + y * wp + x] * dy[o * positions + y * ow + x];
                    }
                    assertEquals(s, acc[t * ld + o], 2e-5 * Math.sqrt(positions) + 1e-5 * Math.abs(s),
                            ch + "×" + oh + "×" + ow + " k" + k + " → " + out + ": tap " + t + ", channel " + o);
                }
            }
        }
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
