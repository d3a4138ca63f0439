package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import org.backprop.kernel.AdamLoop;

/**
 * The cost of subnormal optimizer state, before and after the flush (issue 15): Adam passes over
 * the MLP's 235,146 parameters with the first moment m either normal or subnormal, timed by the
 * thread's CPU time (not wall time, so it can run on a busy machine). Three loops:
 * <ul>
 *   <li>{@code guarded}: the library's vector loop ({@link AdamLoop}, which flushes m and v to 0);</li>
 *   <li>{@code unguarded-vector}: the same loop with the flush off (it is off when ε = 0; v is kept
 *       normal, so nothing divides by 0);</li>
 *   <li>{@code unguarded-plain}: the rule as a plain scalar loop without a flush.</li>
 * </ul>
 * Each measurement resets the state, then times {@value #PASSES} consecutive passes with a zero
 * gradient (Fashion-MNIST's border pixels at batch 1): unflushed, m stays subnormal all along
 * (0.9^20 ≈ 0.12); flushed, only the first pass reads subnormals. Prints the median over the
 * repetitions, in µs per pass. {@code SubnormalBench [--reps 15]}
 */
final class SubnormalBench {
    private SubnormalBench() {}

    private static final int N = (int) Limits.MLP_PARAMS;
    private static final int PASSES = 20;

    public static void main(String[] args) {
        int reps = args.length == 2 && args[0].equals("--reps") ? Integer.parseInt(args[1]) : 15;
        Random rng = new Random(0);
        float[] w0 = new float[N], mNormal = new float[N], mSub = new float[N], v0 = new float[N], gNormal = new float[N];
        for (int i = 0; i < N; i++) {
            w0[i] = (float) rng.nextGaussian() * 0.05f;
            mNormal[i] = (float) rng.nextGaussian() * 1e-3f;
            mSub[i] = (float) rng.nextGaussian() * 1e-39f; // below Float.MIN_NORMAL ≈ 1.18e-38
            v0[i] = 1e-6f + (float) Math.abs(rng.nextGaussian()) * 1e-6f;
            gNormal[i] = (float) rng.nextGaussian() * 1e-2f;
        }
        float[] gZero = new float[N];
        System.out.printf("Adam pass over %,d parameters, µs of thread CPU time per pass (median of %d × %d passes)%n", N, reps, PASSES);
        for (String loop : new String[] {"guarded", "unguarded-vector", "unguarded-plain"}) {
            double normal = median(loop, reps, w0, mNormal, v0, gNormal);
            double subnormal = median(loop, reps, w0, mSub, v0, gZero);
            System.out.printf("%-17s normal state %8.1f   subnormal state %8.1f   ratio %5.1f×%n", loop, normal, subnormal, subnormal / normal);
        }
    }

    private static double median(String loop, int reps, float[] w0, float[] m0, float[] v0, float[] g) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        float[] w = new float[N], m = new float[N], v = new float[N];
        double[] times = new double[reps + 3];
        for (int r = 0; r < times.length; r++) { // the first 3 warm the JIT
            System.arraycopy(w0, 0, w, 0, N);
            System.arraycopy(m0, 0, m, 0, N);
            System.arraycopy(v0, 0, v, 0, N);
            long t0 = threads.getCurrentThreadCpuTime();
            for (int p = 1; p <= PASSES; p++) pass(loop, p, w, g, m, v);
            times[r] = (threads.getCurrentThreadCpuTime() - t0) / 1e3 / PASSES;
        }
        double[] kept = Arrays.copyOfRange(times, 3, times.length);
        Arrays.sort(kept);
        return kept[kept.length / 2];
    }

    private static void pass(String loop, int t, float[] w, float[] g, float[] m, float[] v) {
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f;
        float stepSize = (float) (lr / (1 - Math.pow(b1, t))), bc2Sqrt = (float) Math.sqrt(1 - Math.pow(b2, t));
        float eps = loop.equals("guarded") ? 1e-8f : 0f;
        if (loop.equals("unguarded-plain")) {
            for (int i = 0; i < N; i++) {
                float mi = b1 * m[i] + (1 - b1) * g[i];
                float vi = b2 * v[i] + (1 - b2) * (g[i] * g[i]);
                m[i] = mi;
                v[i] = vi;
                w[i] -= stepSize * (mi / ((float) Math.sqrt(vi) / bc2Sqrt + 1e-8f));
            }
            return;
        }
        AdamLoop.Constants k = new AdamLoop.Constants(stepSize * bc2Sqrt, b1, b2, 1 - b1, 1 - b2, eps * bc2Sqrt, 0f, 1f, false, false, false);
        AdamLoop.vectors(k, w, g, 0, m, v, null, 0, N); // the last N mod lanes elements are left: a handful, the same in both
    }
}
