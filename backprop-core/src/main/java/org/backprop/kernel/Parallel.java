package org.backprop.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * Splits kernel work over the cores. One dedicated pool of daemon threads (so a library user's
 * common pool is left alone); the calling thread runs the first part itself. The thread count is
 * the number of available processors, or the system property {@code backprop.threads}.
 *
 * <p>A {@code forEach} inside a part of another (a layer splitting over images whose parts call
 * {@link Gemm}) runs serially on its thread: the outer split already uses every core, and a nested
 * one would only add tasks and more threads than cores.
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

    /** Set while the calling thread runs its own part of a parallel loop. */
    private static final ThreadLocal<boolean[]> IN_PART = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Runs {@code body.accept(i)} for i in [0, parts), in parallel; returns when all are done. */
    public static void forEach(int parts, IntConsumer body) {
        boolean[] inPart = IN_PART.get();
        if (parts <= 1 || POOL == null || inPart[0] || Thread.currentThread() instanceof ForkJoinWorkerThread w
                && w.getPool() == POOL) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            tasks[i - 1] = POOL.submit(() -> body.accept(part));
        }
        // Also while joining: a joining thread may run a queued part itself.
        inPart[0] = true;
        RuntimeException failure = null;
        try {
            try {
                body.accept(0);
            } catch (RuntimeException e) {
                failure = e;
            }
            for (ForkJoinTask<?> t : tasks) {
                try {
                    t.join();
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                }
            }
        } finally {
            inPart[0] = false;
        }
        if (failure != null) throw failure;
    }
}
