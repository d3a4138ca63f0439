package org.backprop.bench;

import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The CPU's ceiling for the GEMM kernels: 16 independent FMA chains on registers, no memory, at
 * 256 and 512 bits alternately, in GFLOP per CPU-second of this thread. A kernel on 8-float
 * vectors cannot pass the 256-bit figure however it blocks its registers; OpenBLAS on an
 * AVX-512 CPU runs at 512 bits, so the 8-lane kernel's ratio to it is bounded by the ratio of the
 * two ceilings. {@code FmaPeak [--rounds 5]}
 */
final class FmaPeak {
    private FmaPeak() {}

    public static void main(String[] args) {
        int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 5;
        var mx = ManagementFactory.getThreadMXBean();
        long iters = 20_000_000;
        float sink = 0;
        for (int r = -3; r < rounds; r++) {
            long t0 = mx.getCurrentThreadCpuTime();
            sink += run256(iters);
            long t1 = mx.getCurrentThreadCpuTime();
            sink += run512(iters);
            long t2 = mx.getCurrentThreadCpuTime();
            if (r >= 0) {
                System.out.printf("256-bit %6.1f, 512-bit %6.1f GFLOP per CPU-second%n",
                        16.0 * 2 * 8 * iters / (t1 - t0), 16.0 * 2 * 16 * iters / (t2 - t1));
            }
        }
        if (sink == 42f) System.out.println(); // keeps the sums live
    }

    private static float run256(long iters) {
        FloatVector a = FloatVector.broadcast(FloatVector.SPECIES_256, 1.0001f), b = FloatVector.broadcast(FloatVector.SPECIES_256, 0.9999f);
        FloatVector c0 = FloatVector.zero(FloatVector.SPECIES_256), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
            c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
            c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
            c12 = a.fma(b, c12); c13 = a.fma(b, c13); c14 = a.fma(b, c14); c15 = a.fma(b, c15);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
    }

    private static float run512(long iters) {
        FloatVector a = FloatVector.broadcast(FloatVector.SPECIES_512, 1.0001f), b = FloatVector.broadcast(FloatVector.SPECIES_512, 0.9999f);
        FloatVector c0 = FloatVector.zero(FloatVector.SPECIES_512), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
            c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
            c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
            c12 = a.fma(b, c12); c13 = a.fma(b, c13); c14 = a.fma(b, c14); c15 = a.fma(b, c15);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
    }
}
