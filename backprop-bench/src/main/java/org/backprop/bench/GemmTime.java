package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.backprop.kernel.Gemm;

/**
 * The pure-Java sgemm on the peer's four shapes, timed in a way a shared machine spoils less than
 * JMH's mean: for each shape, rounds of {@code --reps} products; per round the best wall time of
 * one product and the process CPU time per product (the kernel threads' work, spinning included).
 * Prints the best round's GFLOP/s and the median round's, and CPU µs per product.
 * {@code GemmTime [--reps 50] [--rounds 9] [--shapes NN:1024x1024x1024,...]}
 */
final class GemmTime {
    private GemmTime() {}

    public static void main(String[] args) {
        int reps = 50, rounds = 9;
        String shapes = "NN:1024x1024x1024,NN:128x784x256,NN:784x128x256,NN:128x256x784";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--shapes" -> shapes = args[++i];
                default -> throw new IllegalArgumentException("usage: GemmTime [--reps 50] [--rounds 9] [--shapes NN:MxKxN,...]");
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String spec : shapes.split(",")) {
            GemmBench.Shape s = GemmBench.Shape.parse(spec);
            Random rng = new Random(42);
            float[] a = GemmBench.random(rng, s.m() * s.k()), b = GemmBench.random(rng, s.k() * s.n());
            float[] c = new float[s.m() * s.n()];
            int lda = s.ta() ? s.m() : s.k(), ldb = s.tb() ? s.k() : s.n();
            int n = Math.max(reps, (int) (2e9 / s.flops())); // at least ~1 GFLOP a round
            double[] best = new double[rounds], cpu = new double[rounds];
            for (int r = -2; r < rounds; r++) { // two warm-up rounds
                long bestNs = Long.MAX_VALUE, c0 = os.getProcessCpuTime();
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    Gemm.sgemmJava(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
                    bestNs = Math.min(bestNs, System.nanoTime() - t0);
                }
                if (r < 0) continue;
                best[r] = s.flops() / bestNs;
                cpu[r] = (os.getProcessCpuTime() - c0) / 1e3 / n;
            }
            double[] sorted = best.clone();
            Arrays.sort(sorted);
            double[] cpuSorted = cpu.clone();
            Arrays.sort(cpuSorted);
            System.out.printf("%-20s best %6.1f GFLOP/s, median round's best %6.1f, CPU %8.1f µs/product (median round; min %.1f), C hash %08x%n",
                    spec, sorted[rounds - 1], sorted[rounds / 2], cpuSorted[rounds / 2], cpuSorted[0], Arrays.hashCode(c));
        }
    }
}
