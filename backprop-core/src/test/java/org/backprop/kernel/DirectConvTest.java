package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DirectConv}'s pieces against plain loops, at whatever vector width the run selects. */
class DirectConvTest {

    @Test
    void correlateIsTheSumOverTapsOfShiftedRows() {
        Random rng = new Random(5);
        // rows not a multiple of the blocks' eight or four; grids of whole 3-vector blocks and of one or two vectors past them
        for (int m : new int[] {1, 2, 4, 6, 8, 9, 13, 16}) {
            for (int grid : new int[] {3, 16, 40, 64, 70, 96, 200}) {
                int[] taps = {0, 1, 2, 17, 18, 40};
                int ld = DirectConv.gridStride(grid);
                float[] src = random(rng, 40 + ld + 8), w = random(rng, m * taps.length);
                float[] packed = DirectConv.packRows(w, 0, m, taps.length);
                float[] dst = new float[m * ld];
                DirectConv.correlate(m, packed, taps, src, 3, grid, dst, 0, ld);
                for (int r = 0; r < m; r++) {
                    for (int q = 0; q < grid; q++) {
                        double s = 0;
                        for (int t = 0; t < taps.length; t++) s += (double) w[r * taps.length + t] * src[3 + taps[t] + q];
                        assertEquals(s, dst[r * ld + q], 1e-5, "m " + m + ", grid " + grid + ", row " + r + ", q " + q);
                    }
                }
            }
        }
    }

    /**
     * The row path is the grid path bit for bit, over images of rows narrower than, as wide as and
     * wider than a vector, channel counts around its groups of six, padding below, at and past
     * half the kernel, images not a multiple of its blocks; and writes nothing past the outputs.
     */
    @Test
    void correlateRowsIsCorrelateBitForBit() {
        Random rng = new Random(12);
        int[][] cases = { // channels, m, h, w, kh, kw, padH, padW, images
            {16, 6, 10, 10, 5, 5, 4, 4, 4}, {1, 6, 28, 28, 5, 5, 2, 2, 3}, {3, 7, 5, 17, 3, 3, 1, 1, 2},
            {2, 13, 6, 33, 3, 2, 2, 1, 5}, {5, 1, 4, 3, 3, 3, 0, 0, 1}, {4, 12, 9, 16, 5, 3, 3, 2, 6},
        };
        for (int[] k : cases) {
            int channels = k[0], m = k[1], h = k[2], w = k[3], kh = k[4], kw = k[5], ph = k[6], pw = k[7], images = k[8];
            String name = java.util.Arrays.toString(k);
            int wp = w + 2 * pw, plane = (h + 2 * ph) * wp, oh = h + 2 * ph - kh + 1, ow = wp - kw + 1, slack = kw + 2 * Simd.LANES;
            float[] x = random(rng, images * channels * h * w), wt = random(rng, m * channels * kh * kw), bias = random(rng, m);
            int[] taps = DirectConv.taps(channels, kh, kw, plane, wp);
            float[] pad = new float[images * channels * plane + slack];
            for (int i = 0; i < images; i++) DirectConv.pad(x, i * channels * h * w, channels, h, w, ph, pw, pad, i * channels * plane, slack);
            int ld = DirectConv.gridStride(oh * wp), outSize = images * m * oh * ow, off = 3;
            float[] want = new float[outSize], grid = new float[m * ld + 2 * Simd.LANES];
            float[] packed = DirectConv.packRows(wt, 0, m, channels * kh * kw);
            for (int i = 0; i < images; i++) {
                DirectConv.correlate(m, packed, taps, pad, i * channels * plane, oh * wp, grid, 0, ld);
                DirectConv.unpad(grid, ld, m, oh, wp, ow, bias, want, i * m * oh * ow);
            }
            float[] got = new float[off + outSize + 2 * Simd.LANES];
            java.util.Arrays.fill(got, 99f);
            DirectConv.correlateRows(m, DirectConv.packRows(wt, 0, m, channels * kh * kw, DirectConv.ROW_GROUP), taps, channels,
                    kh, kw, pad, 0, channels * plane, images, ph, h, wp, oh, ow, bias, got, off, m * oh * ow);
            for (int i = 0; i < outSize; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[off + i]), name + " output " + i);
            }
            for (int i = 0; i < off; i++) assertEquals(99f, got[i], name + " before");
            for (int i = off + outSize; i < got.length; i++) assertEquals(99f, got[i], name + " after");
        }
    }

    /** The row path is taken for LeNet-5's second-layer input gradient and first-layer forward pass, not for 3×3 kernels on rows of 100. */
    @Test
    void rowsAreChosenWhereTheGridIsMostlyPadding() {
        assertTrue(DirectConv.rowsCheaper(6, 5, 5, 4, 10, 18, 14, 14), "LeNet conv2 input gradient");
        assertTrue(DirectConv.rowsCheaper(6, 5, 5, 2, 28, 32, 28, 28), "LeNet conv1 forward");
        if (Simd.VECTOR) assertTrue(!DirectConv.rowsCheaper(32, 3, 3, 1, 20, 52, 20, 50), "spoken-digit CNN conv2 forward");
    }

    @Test
    void packFlippedTurnsTheKernelAndSwapsInAndOut() {
        int out = 3, in = 5, kh = 3, kw = 2;
        float[] w = random(new Random(2), out * in * kh * kw);
        float[] p = DirectConv.packFlipped(w, 0, out, in, kh, kw);
        int kk = out * kh * kw;
        for (int c = 0; c < in; c++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        float packed = p[((c / DirectConv.ROWS) * kk + (o * kh + i) * kw + j) * DirectConv.ROWS + c % DirectConv.ROWS];
                        assertEquals(w[((o * in + c) * kh + kh - 1 - i) * kw + kw - 1 - j], packed);
                    }
                }
            }
        }
    }

    /** Narrow rows are stored as whole vectors spilling onto the next rows, but never past the image. */
    @Test
    void unpadKeepsToTheImage() {
        Random rng = new Random(9);
        for (int cols : new int[] {1, 3, 7, 16, 25, 33}) {
            int rows = 4, channels = 3, wp = cols + 2, ld = DirectConv.gridStride(rows * wp);
            float[] grid = random(rng, channels * ld + 2 * Simd.LANES), bias = {0.5f, -1f, 2f};
            int size = channels * rows * cols, off = 5;
            float[] out = new float[off + size + 40];
            java.util.Arrays.fill(out, 99f);
            DirectConv.unpad(grid, ld, channels, rows, wp, cols, bias, out, off);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        assertEquals(grid[c * ld + y * wp + x] + bias[c], out[off + (c * rows + y) * cols + x], "cols " + cols);
                    }
                }
            }
            for (int i = 0; i < off; i++) assertEquals(99f, out[i], "before the image, cols " + cols);
            for (int i = off + size; i < out.length; i++) assertEquals(99f, out[i], "past the image, cols " + cols);
        }
    }

    /** Every cell of the padded planes and the slack is written: the scratch holds the last call's values. */
    @Test
    void padWritesEveryCell() {
        Random rng = new Random(4);
        int[][] cases = {{2, 3, 4, 1, 1}, {1, 5, 2, 2, 2}, {3, 2, 6, 0, 0}, {2, 4, 3, 0, 2}, {2, 1, 1, 3, 1}};
        for (int[] k : cases) {
            int channels = k[0], h = k[1], w = k[2], ph = k[3], pw = k[4], slack = 7, off = 3;
            int wp = w + 2 * pw, plane = (h + 2 * ph) * wp;
            float[] x = random(rng, channels * h * w), dst = new float[off + channels * plane + slack + 5];
            java.util.Arrays.fill(dst, Float.NaN);
            DirectConv.pad(x, 0, channels, h, w, ph, pw, dst, off, slack);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < h + 2 * ph; y++) {
                    for (int z = 0; z < wp; z++) {
                        boolean inside = y >= ph && y < h + ph && z >= pw && z < w + pw;
                        float want = inside ? x[(c * h + y - ph) * w + z - pw] : 0f;
                        assertEquals(want, dst[off + c * plane + y * wp + z], "cell " + c + "," + y + "," + z);
                    }
                }
            }
            for (int i = 0; i < slack; i++) assertEquals(0f, dst[off + channels * plane + i], "slack");
            assertEquals(Float.NaN, dst[off - 1], "before");
            assertEquals(Float.NaN, dst[off + channels * plane + slack], "after");
        }
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
