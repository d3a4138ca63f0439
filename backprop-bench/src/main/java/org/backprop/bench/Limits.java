package org.backprop.bench;

import java.util.Random;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.NativeBlas;

/**
 * The machine's two limits, measured in the benchmark's own run so that each workload's time can
 * be read as a fraction of what the hardware allows: the GEMM limit (the best GFLOP/s of the Java
 * kernel and, when present, OpenBLAS through FFM on a {@code size}³ product) and the memory-stream
 * limit (GB/s of a triad a ← b + s·c over arrays as large, together, as the MLP's parameters,
 * gradients and Adam's two moments).
 */
record Limits(double gemmGflops, String gemmBy, double streamGBs) {
    /** Parameters of the MLP 784-256-128-10. */
    static final long MLP_PARAMS = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;

    /**
     * Floating-point operations of one MLP training sample: forward and weight-gradient products
     * for every layer, input-gradient products for all but the first (2 per multiply-add);
     * ×60,000 samples that is the 60 GFLOP of an epoch.
     */
    static final double MLP_FLOP_PER_SAMPLE = 2.0 * (3.0 * (784 * 256 + 256 * 128 + 128 * 10) - 784 * 256);

    /**
     * Bytes a batch-1 Adam step of the MLP must move at least, as the default training step runs
     * it: the forward reads every weight once (1 stream of parameter size); the backward reads the
     * weights of the second and third layers for the input gradients (the first layer's input needs
     * none); the fused update reads weights and both moments and writes all three (6 streams). At
     * batch 1 the weight gradient is never stored: the fused update forms it from its rank-1 factors
     * as it goes, so it has no stream of its own and nothing is zeroed. Activations at batch 1 are
     * negligible (under 1%).
     */
    static final double MLP_STEP_BYTES = (7.0 * MLP_PARAMS + 256 * 128 + 128 * 10) * Float.BYTES;

    static Limits measure(int size, long warmNanos, int reps) {
        double java = gemm(size, warmNanos, reps, false);
        double blas = NativeBlas.isAvailable() ? gemm(size, warmNanos, reps, true) : 0;
        return new Limits(Math.max(java, blas), blas > java ? "openblas" : "java", triad(warmNanos, reps));
    }

    private static double gemm(int n, long warmNanos, int reps, boolean blas) {
        Random rng = new Random(0);
        float[] a = GemmBench.random(rng, n * n), b = GemmBench.random(rng, n * n), c = new float[n * n];
        Runnable op = blas ? () -> NativeBlas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n)
                : () -> Gemm.sgemmJava(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return 2.0 * n * n * n / best(op, warmNanos, reps) / 1e9;
    }

    /** Triad over three arrays holding MLP_PARAMS × 4 floats together; GB/s counts 2 reads + 1 write. */
    private static double triad(long warmNanos, int reps) {
        int n = (int) (4 * MLP_PARAMS / 3);
        float[] a = new float[n], b = new float[n], c = new float[n];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        Runnable op = () -> {
            for (int i = 0; i < n; i++) a[i] = b[i] + 0.5f * c[i];
        };
        double seconds = best(op, warmNanos, reps);
        if (a[n - 1] != 2f) throw new IllegalStateException("triad computed " + a[n - 1]);
        return 3.0 * n * Float.BYTES / seconds / 1e9;
    }

    /** The fastest of {@code reps} timed runs after a warm-up of at least {@code warmNanos}: a limit is a best case. */
    private static double best(Runnable op, long warmNanos, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - t0 < warmNanos; i++) op.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - s);
        }
        return Math.max(best, 1) / 1e9;
    }

    /** The MLP epoch's time at the GEMM limit over its measured time (1 = GEMM-bound). */
    double mlpEpochEfficiency(int samples, double epochSeconds) {
        return samples * MLP_FLOP_PER_SAMPLE / (gemmGflops * 1e9) / epochSeconds;
    }

    /** A batch-1 step's time at the stream limit over its measured time (1 = memory-bound). */
    double stepEfficiency(double stepsPerSecond) {
        return MLP_STEP_BYTES / (streamGBs * 1e9) * stepsPerSecond;
    }
}
