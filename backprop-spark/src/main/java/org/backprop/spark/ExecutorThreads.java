package org.backprop.spark;

import org.apache.spark.SparkEnv;

/**
 * Makes the core's kernel threads follow the executor's cores. The core sizes its thread pool
 * once per JVM from {@code backprop.threads}, else from every processor the JVM sees; an
 * executor given 1 of a machine's 16 cores would otherwise run 16 kernel threads and compete
 * with its neighbours. The first task on an executor sets {@code backprop.threads} to
 * {@code spark.executor.cores} before any kernel runs, unless the property is set already
 * ({@code spark.executor.extraJavaOptions=-Dbackprop.threads=N} wins). The driver, and local
 * mode, where the driver's JVM runs the tasks, keep their setting.
 */
public final class ExecutorThreads {
    private static volatile boolean configured;

    private ExecutorThreads() {}

    public static void configure() {
        if (configured) return;
        synchronized (ExecutorThreads.class) {
            if (configured) return;
            configured = true;
            SparkEnv env = SparkEnv.get();
            if (env == null || "driver".equals(env.executorId()) || System.getProperty("backprop.threads") != null) return;
            int cores = env.conf().getInt("spark.executor.cores", 0);
            if (cores > 0) {
                System.setProperty("backprop.threads", Integer.toString(Math.min(cores, Runtime.getRuntime().availableProcessors())));
            }
        }
    }

    /** The kernel threads of this JVM (after {@link #configure}). */
    public static int threads() {
        configure();
        return org.backprop.kernel.Parallel.THREADS;
    }
}
