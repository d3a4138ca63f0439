package org.backprop.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Splits kernel work over the cores: THREADS − 1 daemon workers plus the calling thread, which
 * runs part 0 itself. The thread count is the number of available processors, or the system
 * property {@code backprop.threads}.
 *
 * <p>Why not a {@code ForkJoinPool}: a training step makes tens of short parallel calls (each
 * product, pooling, batch norm, the optimizer), and waking a parked pool thread cost ~45 µs per
 * call on the 2-core machines we measure on, a third of an MLP step at batch 128. Here a worker
 * that finishes a part waits for the next call for up to {@code backprop.spinMicros} (default
 * 1,000 µs) before it parks, as OpenMP runtimes do, so the calls of a training step find it
 * awake; a library left idle parks its workers after that millisecond. While it waits it calls
 * {@link Thread#yield}, not a busy pause: with a pause, one JVM run in three was slow throughout
 * (a JIT or GC thread sharing the main thread's core lost its time to the spinning worker);
 * with yields, six runs in six were fast (MLP epoch 0.70 → 0.53–0.60 s, Adam steps at batch 32
 * 1,400 → 2,200 a second, LeNet epoch 2.8–3.2 → 2.5–2.6 s).
 *
 * <p>Whether a call worth splitting (by the caller's size rule) does split is chosen per call
 * site and size at run time ({@link SplitChoice}): on a host where the other vCPU is often
 * stolen, a hand-off costs more than the small calls of a batch-1 step save, and which calls
 * those are differs by host and hour. A call that does not split runs the same parts in order on
 * the calling thread, with the loops inside them, so the results are the same bits either way.
 * {@code backprop.threads} caps the threads; {@code backprop.split=fixed} always splits (A/B).
 *
 * <p>A {@code forEach} inside a part of another (a layer splitting over images whose parts call
 * {@link Gemm}) runs serially on its thread: the outer split already uses every core. So does a
 * {@code forEach} from a second thread while another thread's call holds the workers (two
 * trainers in one JVM): it runs its parts itself rather than wait.
 */
public final class Parallel {
    private Parallel() {}

    public static final int THREADS = Math.max(1, Integer.getInteger("backprop.threads",
            Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker keeps spinning for the next call before it parks. */
    static final long SPIN_NANOS = Long.getLong("backprop.spinMicros", 1000) * 1000;

    /**
     * How long the caller spins for its workers to finish before it yields: the same 20 µs as
     * a GEMM's barrier between its threads ({@code backprop.callerSpinMicros}, for A/B runs).
     */
    static final long CALLER_SPIN_NANOS = Long.getLong("backprop.callerSpinMicros", 20) * 1000;

    /** Whether a forEach's parts are claimed by whichever thread is free ({@code backprop.parallel.claim}, for A/B runs). */
    static final boolean CLAIM = !"false".equals(System.getProperty("backprop.parallel.claim"));

    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    /** Held by the thread whose call the workers are running. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    /**
     * One call, published whole through {@link #current}, so a worker never mixes the fields of
     * two calls. Where {@code next} is null (a {@link #together} call), part i goes to thread
     * i mod {@code stride} (0 being the caller) and {@code remaining} counts the workers still
     * running; otherwise each thread claims the next part from {@code next} until none is left,
     * and {@code remaining} counts the parts not yet done.
     */
    private record Call(long id, IntConsumer body, int parts, int stride, AtomicInteger remaining,
                        AtomicReference<Throwable> failure, long[] times, AtomicInteger next) { }

    private static volatile Call current = new Call(0, null, 0, 1, new AtomicInteger(), new AtomicReference<>(), null, null);

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    /** Set while the calling thread runs its own part of a parallel loop. */
    private static final ThreadLocal<boolean[]> IN_PART = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Runs {@code body.accept(i)} for i in [0, parts), in parallel; returns when all are done. */
    public static void forEach(int parts, IntConsumer body) {
        forEach(parts, 0, body);
    }

    /**
     * {@link #forEach(int, IntConsumer)} with the caller's estimate of the call's work (elements,
     * multiply-adds: any unit, the same at one call site), which keys the choice of
     * {@link SplitChoice} by size: a site's small calls may run on the caller while its large
     * ones split.
     */
    public static void forEach(int parts, long work, IntConsumer body) {
        split(parts, body, SplitChoice.of(body), work);
    }

    /**
     * Runs the parts on the workers or, where {@code site} finds that faster (or the workers are
     * not to be had), all on the calling thread in order: the same parts either way, so the
     * same bits. Only calls that could have split are timed for the choice.
     */
    private static void split(int parts, IntConsumer body, SplitChoice site, long work) {
        boolean[] inPart = IN_PART.get();
        if (parts <= 1 || !mayChoose(inPart)) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        int bucket = SplitChoice.bucket(work);
        boolean split = site == null || site.split(bucket); // no site: the caller has chosen to split
        long start = site == null ? 0 : System.nanoTime();
        if (split && BUSY.compareAndSet(false, true)) {
            try {
                run(parts, body, Math.min(WORKERS.length, parts - 1), inPart, null, site, CLAIM);
            } finally {
                BUSY.set(false);
            }
        } else if (split) { // another thread's call holds the workers: run alone, no sample
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        } else {
            // The whole call on this thread, the loops inside its parts too, as on a worker
            long t0 = WaitStats.ON ? System.nanoTime() : 0;
            inPart[0] = true;
            try {
                for (int i = 0; i < parts; i++) body.accept(i);
            } finally {
                inPart[0] = false;
            }
            if (WaitStats.ON) WaitStats.alone(site, System.nanoTime() - t0);
        }
        if (site != null) site.record(bucket, split, System.nanoTime() - start, work);
    }

    /**
     * How a call that is large enough to split chooses: {@code ADAPTIVE} (the default) by what it
     * measured on this host ({@link SplitChoice}), {@code FIXED} always splits (the rule before
     * the adaptation, for A/B runs), {@code SERIAL} never does. The property {@code backprop.split}
     * (adaptive, fixed, serial) sets it at start-up; the parts, and so the bits, are the same in all three.
     */
    public enum Split { ADAPTIVE, FIXED, SERIAL }

    /** Sets how calls choose (for tests and benchmarks); returns the previous setting. */
    public static Split setSplit(Split mode) {
        Split old = SplitChoice.mode;
        SplitChoice.mode = java.util.Objects.requireNonNull(mode);
        return old;
    }

    /** Per call site and size: how often a call ran alone and split, and the time per unit each took. */
    public static String splitReport() {
        return SplitChoice.report();
    }

    /** Whether a worker is parked: a call split now would wait for its wake-up. */
    static boolean workerParked() {
        for (Worker w : WORKERS) if (w.sleeping) return true;
        return false;
    }

    /** Whether a call from this thread may split at all: not from inside a part, not from a worker. */
    static boolean mayChoose() {
        return mayChoose(IN_PART.get());
    }

    private static boolean mayChoose(boolean[] inPart) {
        return WORKERS.length > 0 && !inPart[0] && !(Thread.currentThread() instanceof Worker);
    }

    /**
     * Runs {@code body.accept(i)} for i in [0, parts) with every part on a thread of its own at the
     * same time (part 0 on the caller), so that parts may wait for one another (a barrier), and
     * returns true; returns false having run nothing where that cannot be had: more parts than
     * {@link #THREADS}, a call from inside a part or from a kernel thread, or the workers held by
     * another thread's call. A part that waits for another must also give up if that one fails.
     */
    public static boolean together(int parts, IntConsumer body) {
        return together(parts, body, null);
    }

    /**
     * {@link #together(int, IntConsumer)} for a body whose parts the caller may take over: the
     * caller stops waiting for the workers as soon as {@code finished} holds after its own part.
     * The body must make that mean that every part is done and that a worker which starts it
     * late (descheduled on a busy host) returns without touching anything; such a worker then
     * runs it after this call has returned. Failures of the workers' parts are the body's to
     * report: a part that fails after {@code finished} holds is not seen here.
     */
    static boolean together(int parts, IntConsumer body, BooleanSupplier finished) {
        boolean[] inPart = IN_PART.get();
        if (parts < 2 || parts > THREADS || inPart[0] || Thread.currentThread() instanceof Worker
                || !BUSY.compareAndSet(false, true)) {
            return false;
        }
        try {
            run(parts, body, parts - 1, inPart, finished, null, false);
        } finally {
            BUSY.set(false);
        }
        return true;
    }

    /** Publishes a call to {@code helpers} workers, runs the caller's parts, waits for the rest; BUSY is held. */
    private static void run(int parts, IntConsumer body, int helpers, boolean[] inPart, BooleanSupplier finished,
                            SplitChoice site, boolean claim) {
        long t0 = WaitStats.ON ? System.nanoTime() : 0;
        // with the stats on: [0] published at, per worker w [2w-1] its start and [2w] its end
        long[] times = WaitStats.ON ? new long[1 + 2 * helpers] : null;
        if (times != null) times[0] = System.nanoTime();
        // A forEach's parts are claimed, so that a caller whose worker starts late (parked, or
        // descheduled on a busy host) runs the parts the worker has not begun instead of waiting
        // for it; the parts are the same whoever runs them, so are the bits. A together call's
        // parts wait for one another: each on its own thread.
        AtomicInteger next = claim ? new AtomicInteger() : null;
        Call call = new Call(current.id() + 1, body, parts, helpers + 1,
                new AtomicInteger(next == null ? helpers : parts), new AtomicReference<>(), times, next);
        current = call; // volatile write: publishes the call to the workers
        for (int w = 0; w < helpers; w++) {
            if (WORKERS[w].sleeping) LockSupport.unpark(WORKERS[w]);
        }
        inPart[0] = true;
        try {
            if (next != null) {
                runClaimed(call);
            } else {
                for (int i = 0; i < parts; i += call.stride()) body.accept(i);
            }
        } catch (Throwable t) {
            call.failure().compareAndSet(null, t);
        } finally {
            inPart[0] = false;
        }
        // Parts are of a size, so the wait is short; if a worker was parked or descheduled it
        // can be long, and then the core is given up rather than spun on. The caller spins only
        // CALLER_SPIN_NANOS, not the workers' millisecond: on a busy 2-vCPU host the worker it
        // waits for is often runnable behind it, and a millisecond of pause-spinning first cost
        // ~1 ms a call (2-thread sgemm at 7-19 GFLOP per CPU-second on the MLP's small products
        // against 18-65 with 20 µs; GemmCpu, split=fixed, alternating runs).
        long waitStart = System.nanoTime();
        while (call.remaining().get() > 0 && (finished == null || !finished.getAsBoolean())) {
            if (System.nanoTime() - waitStart < CALLER_SPIN_NANOS) Thread.onSpinWait();
            else Thread.yield();
        }
        if (WaitStats.ON) WaitStats.add(site, waitStart - t0, System.nanoTime() - waitStart, times);
        Throwable first = call.failure().get();
        if (first instanceof RuntimeException e) throw e;
        if (first instanceof Error e) throw e;
        if (first != null) throw new IllegalStateException(first);
    }

    /** Runs the parts of {@code call} this thread claims until none is left, counting each one done (failed too). */
    private static void runClaimed(Call call) {
        for (int i; (i = call.next().getAndIncrement()) < call.parts(); ) {
            try {
                call.body().accept(i);
            } catch (Throwable t) {
                call.failure().compareAndSet(null, t);
            } finally {
                call.remaining().decrementAndGet();
            }
        }
    }

    /**
     * Memory-bound loops (elementwise updates, fills, pooling and batch-norm passes) give a
     * thread at least this many element reads: below it, waking a worker costs more than it
     * saves. Compute-bound products (Gemm, Conv2d) count multiply-adds against their own limits.
     */
    public static final long MIN_ELEMENTS_PER_THREAD = 1 << 15;

    /**
     * How many parts {@link #forRange} splits {@code n} items into: one per thread, as long as
     * each part gets at least {@code minPerThread} items (at least 1 part; {@code minPerThread}
     * of {@link Long#MAX_VALUE} keeps a loop on the calling thread).
     */
    public static int parts(int n, long minPerThread) {
        return (int) Math.max(1, Math.min(THREADS, n / Math.max(1, minPerThread)));
    }

    /**
     * Runs {@code body} over [0, n) cut into {@link #parts} contiguous ranges, part {@code p}
     * taking [n·p/parts, n·(p+1)/parts), in parallel; returns when all are done. The one way the
     * library splits a loop over the kernel threads, so every loop splits alike: callers state
     * only how many items are worth a thread.
     */
    public static void forRange(int n, long minPerThread, Range body) {
        int parts = parts(n, minPerThread);
        if (parts == 1) {
            body.run(0, 0, n);
            return;
        }
        // keyed by the caller's body, sized in thread-worths of items
        split(parts, p -> body.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)),
                SplitChoice.of(body), n / Math.max(1, minPerThread));
    }

    /** One part of a {@link #forRange} loop: items [from, to), part index {@code part} (for per-part scratch). */
    @FunctionalInterface
    public interface Range {
        void run(int part, int from, int to);
    }

    /** A kernel thread: runs its share of each call, spins briefly for the next, then parks. */
    private static final class Worker extends Thread {
        private final int index;
        volatile boolean sleeping;

        Worker(int index) {
            super("backprop-kernel-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                Call call = awaitCall(seen);
                seen = call.id();
                if (index < call.parts()) {
                    long[] times = call.times();
                    if (times != null) times[2 * index - 1] = System.nanoTime();
                    if (call.next() != null) {
                        runClaimed(call);
                        if (times != null) times[2 * index] = System.nanoTime();
                        continue;
                    }
                    try {
                        for (int i = index; i < call.parts(); i += call.stride()) call.body().accept(i);
                    } catch (Throwable t) {
                        call.failure().compareAndSet(null, t);
                    }
                    if (times != null) times[2 * index] = System.nanoTime();
                    call.remaining().decrementAndGet();
                }
            }
        }

        /** Waits for a call newer than {@code seen}: spinning first, then parked. */
        private Call awaitCall(long seen) {
            Call call;
            long start = System.nanoTime();
            while ((call = current).id() == seen) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    // yield, not a busy pause: where a JIT or GC thread shares this core, it runs
                    Thread.yield();
                    continue;
                }
                // Dekker-style handshake with forEach: set the flag, then look again, so a call
                // published in between is either seen here or finds the flag and unparks.
                sleeping = true;
                if (current.id() == seen) LockSupport.park(this);
                sleeping = false;
                start = System.nanoTime();
            }
            return call;
        }
    }
}
