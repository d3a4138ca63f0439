package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import org.backprop.kernel.DirectConv;

/**
 * CPU time of {@link DirectConv#correlate} alone on the inner layers' shapes of the two benchmark
 * CNNs, forward and input gradient (one image; GFLOP per CPU-second counts the real multiply-adds,
 * rows × taps × valid grid positions). The shapes take turns within a round; prints the median and
 * the best round. {@code DirectConvCpu [--rounds 9] [--calls 200]}
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
    }
}
