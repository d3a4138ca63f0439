package org.backprop.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * Splits kernel work over the cores. One dedicated pool of daemon threads (so a library user's
 * common pool is left alone); the calling thread runs the first part itself. The thread count is
 * the number of available processors, or the system property {@code backprop.threads}.
 */
public final class Parallel {
    private Parallel() {}

    public static final int THREADS = Math.max(1, Integer.getInteger("backprop.threads",
            Runtime.getRuntime().availableProcessors()));

    private static final ForkJoinPool POOL = THREADS == 1 ? null : new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("backprop-kernel-" + t.getPoolIndex());
        return t;
    }, null, false);

    /** Runs {@code body.accept(i)} for i in [0, parts), in parallel; returns when all are done. */
    public static void forEach(int parts, IntConsumer body) {
        if (parts <= 1 || POOL == null || ForkJoinTask.inForkJoinPool() && Thread.currentThread() instanceof ForkJoinWorkerThread w
                && w.getPool() == POOL) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            tasks[i - 1] = POOL.submit(() -> body.accept(part));
        }
        body.accept(0);
        RuntimeException failure = null;
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }
}
