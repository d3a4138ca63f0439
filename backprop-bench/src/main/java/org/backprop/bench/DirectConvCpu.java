package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import org.backprop.kernel.DirectConv;

/**
 * CPU time of {@link DirectConv#correlate} alone on the inner layers' shapes of the two benchmark
 * CNNs, forward and input gradient (one image; GFLOP per CPU-second counts the real multiply-adds,
 * rows × taps × valid grid positions). The shapes take turns within a round; prints the median and
 * the best round; then {@link DirectConv#correlateRows} against the grid on LeNet-5's shapes.
 * {@code DirectConvCpu [--rounds 9] [--calls 200]}
 */
final class DirectConvCpu {
    private DirectConvCpu() {}

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** m rows from c planes of ph × pw, k × k taps, a grid of gh rows of the planes' width. */
    private record Shape(String name, int m, int c, int ph, int pw, int k, int gh) {}

    public static void main(String[] args) {
        int rounds = 9, calls = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: DirectConvCpu [--rounds 9] [--calls 200]");
            }
        }
        Shape[] shapes = {
            new Shape("fsdd conv2 fwd", 32, 16, 22, 52, 3, 20), new Shape("fsdd conv2 dX", 16, 32, 22, 52, 3, 20),
            new Shape("fsdd conv3 fwd", 64, 32, 12, 27, 3, 10), new Shape("fsdd conv3 dX", 32, 64, 12, 27, 3, 10),
            new Shape("lenet conv2 fwd", 16, 6, 14, 14, 5, 10), new Shape("lenet conv2 dX", 6, 16, 18, 18, 5, 14),
        };
        Random rng = new Random(1);
        int n = shapes.length;
        float[][] src = new float[n][], packed = new float[n][], dst = new float[n][];
        int[][] taps = new int[n][];
        double[][] ns = new double[n][rounds];
        for (int s = 0; s < n; s++) {
            Shape sh = shapes[s];
            int plane = sh.ph * sh.pw, grid = sh.gh * sh.pw;
            src[s] = new float[sh.c * plane + sh.k + 64];
            for (int i = 0; i < sh.c * plane; i++) src[s][i] = (float) rng.nextGaussian();
            float[] w = new float[sh.m * sh.c * sh.k * sh.k];
            for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
            packed[s] = DirectConv.packRows(w, 0, sh.m, sh.c * sh.k * sh.k);
            taps[s] = DirectConv.taps(sh.c, sh.k, sh.k, plane, sh.pw);
            dst[s] = new float[sh.m * DirectConv.gridStride(grid) + 64];
        }
        for (int r = -3; r < rounds; r++) {
            for (int s = 0; s < n; s++) {
                Shape sh = shapes[s];
                int grid = sh.gh * sh.pw, ld = DirectConv.gridStride(grid);
                long t0 = CPU.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) DirectConv.correlate(sh.m, packed[s], taps[s], src[s], 0, grid, dst[s], 0, ld);
                if (r >= 0) ns[s][r] = (CPU.getCurrentThreadCpuTime() - t0) / (double) calls;
            }
        }
        System.out.printf("DirectConv.correlate (%s): µs CPU per image, median [best] of %d rounds x %d calls%n",
                org.backprop.kernel.Simd.describe(), rounds, calls);
        for (int s = 0; s < n; s++) {
            Shape sh = shapes[s];
            double[] v = ns[s].clone();
            java.util.Arrays.sort(v);
            int valid = sh.gh * (sh.pw - sh.k + 1);
            double flop = 2.0 * sh.m * sh.c * sh.k * sh.k * valid;
            System.out.printf("  %-16s %8.1f [%8.1f] µs  %6.1f GFLOP/s (median)%n", sh.name, v[rounds / 2] / 1e3, v[0] / 1e3,
                    flop / v[rounds / 2]);
        }
        rowsAgainstGrid(rounds, calls);
    }

    /** m outputs from c source planes of {@code rows} real rows, padded by pad (rows and columns), k × k taps, w output columns. */
    private record RowShape(String name, int m, int c, int rows, int pad, int k, int w) {}

    /**
     * The row path ({@link DirectConv#correlateRows}) against the grid ({@link DirectConv#correlate}
     * + {@link DirectConv#unpad}) on the LeNet-5 shapes it was made for, taking turns in each round;
     * µs CPU per image, with the real multiply-adds' GFLOP per CPU-second.
     */
    private static void rowsAgainstGrid(int rounds, int calls) {
        RowShape[] shapes = {new RowShape("lenet conv2 dX", 6, 16, 10, 4, 5, 14), new RowShape("lenet conv1 fwd", 6, 1, 28, 2, 5, 28)};
        Random rng = new Random(2);
        System.out.printf("grid against rows: µs CPU per image, median [best] of %d rounds x %d calls%n", rounds, calls);
        for (RowShape sh : shapes) {
            int wp = sh.w + sh.k - 1, ph = sh.rows + 2 * sh.pad, plane = ph * wp, oh = ph - sh.k + 1;
            int images = DirectConv.rowImages(sh.w), image = sh.c * plane, slack = sh.k + 2 * org.backprop.kernel.Simd.LANES;
            float[] src = new float[images * image + slack];
            for (int i = 0; i < images; i++) {
                float[] x = new float[sh.c * sh.rows * (wp - 2 * sh.pad)];
                for (int q = 0; q < x.length; q++) x[q] = (float) rng.nextGaussian();
                DirectConv.pad(x, 0, sh.c, sh.rows, wp - 2 * sh.pad, sh.pad, sh.pad, src, i * image, slack);
            }
            float[] w = new float[sh.m * sh.c * sh.k * sh.k];
            for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
            int kk = sh.c * sh.k * sh.k, ld = DirectConv.gridStride(oh * wp);
            float[] packed = DirectConv.packRows(w, 0, sh.m, kk), packed6 = DirectConv.packRows(w, 0, sh.m, kk, DirectConv.ROW_GROUP);
            int[] taps = DirectConv.taps(sh.c, sh.k, sh.k, plane, wp);
            float[] grid = new float[sh.m * ld + 64], out = new float[images * sh.m * oh * sh.w];
            double[][] ns = new double[2][rounds];
            for (int r = -3; r < rounds; r++) {
                for (int p = 0; p < 2; p++) {
                    int path = p ^ (r & 1);
                    long t0 = CPU.getCurrentThreadCpuTime();
                    for (int i = 0; i < calls; i++) {
                        if (path == 0) {
                            for (int k = 0; k < images; k++) {
                                DirectConv.correlate(sh.m, packed, taps, src, k * image, oh * wp, grid, 0, ld);
                                DirectConv.unpad(grid, ld, sh.m, oh, wp, sh.w, null, out, k * sh.m * oh * sh.w);
                            }
                        } else {
                            DirectConv.correlateRows(sh.m, packed6, taps, sh.c, sh.k, sh.k, src, 0, image, images, sh.pad, sh.rows, wp,
                                    oh, sh.w, null, out, 0, sh.m * oh * sh.w);
                        }
                    }
                    if (r >= 0) ns[path][r] = (CPU.getCurrentThreadCpuTime() - t0) / (double) calls / images;
                }
            }
            double flop = 2.0 * sh.m * sh.c * sh.k * sh.rows * (wp - 2 * sh.pad) * sh.k; // every real product once
            for (int path = 0; path < 2; path++) {
                double[] v = ns[path].clone();
                java.util.Arrays.sort(v);
                System.out.printf("  %-16s %-5s %8.1f [%8.1f] µs  %6.1f GFLOP/s (median)%n", sh.name, path == 0 ? "grid" : "rows",
                        v[rounds / 2] / 1e3, v[0] / 1e3, flop / v[rounds / 2]);
            }
        }
    }
}
