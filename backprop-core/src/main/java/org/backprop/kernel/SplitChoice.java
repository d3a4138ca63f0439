package org.backprop.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * Whether one parallel call runs its parts on the kernel workers or all on the calling thread,
 * learnt per call site and size bucket (log2 of the caller's work estimate) from the wall time
 * each choice took per unit of work. Where a hand-off to another vCPU is cheap the split wins
 * on every call large enough to have asked for one; where the host steals that vCPU (a worker
 * descheduled for milliseconds) it loses on the small calls of a batch-1 step, and which calls
 * those are depends on the host and the hour, so no fixed threshold suits every machine.
 *
 * <p>Each (site, bucket) keeps an exponentially weighted mean of nanoseconds per unit for both
 * choices, tries each a few times first, then takes the faster and, on a random call, the other,
 * so a host that turns noisy (or quiet again) moves the choice. The other is tried on 1 call in
 * {@value #EXPLORE_ONE_IN} where the two are close, less often the further behind it is (a split
 * 100-1,000× slower per unit was measured on a loaded 2-vCPU host; tried once in 16 calls it cost
 * 3× the time of the calls themselves), and at least once a second; its rare samples weigh 1/2
 * each, so after the host quietens it comes back within a few tries. The random pick avoids aliasing
 * with call sequences that repeat (two layers alternating at one site). A sample counts at most
 * 4× the current mean: a GC pause inside one call must not flip a clear choice. The first
 * {@value #WARMUP} samples of each choice keep their minimum, not a mean: a site's first call runs
 * cold code. A call whose time alone is estimated above {@link #LONG_CALL_NANOS} always splits.
 * A split tried (while running alone is ahead) that finds a worker parked is not counted: the
 * next call splits again, with the worker awake, and that one counts.
 *
 * <p>A site that knows more than the size of its calls may key them by shape ({@link #slot}):
 * each of its first {@value #SHAPES} shapes then learns on its own, later ones share their size
 * bucket. The products of an MLP step come in few shapes, several of the same work (784×128·128×256,
 * 128×784·784×256 and 128×256·256×784: 25.7 M multiply-adds each), whose splits differ (by rows or
 * by columns, over one K block or four): keyed by bucket, one choice served them all, and what
 * one shape's samples taught was applied to the others.
 *
 * <p>The choice never changes results: the parts are the same either way (see {@link Parallel}).
 * The statistics are plain fields, written by whichever thread calls; two trainers in one JVM
 * may lose each other's updates, which only blurs the means.
 */
final class SplitChoice {
    static volatile Parallel.Split mode = parseMode(System.getProperty("backprop.split", "adaptive"));

    private static final int BUCKETS = 64;
    /** Shapes a site keyed by shape learns apart; later shapes fall back to their size bucket. */
    static final int SHAPES = 64;
    private static final int WARMUP = 4;
    private static final int EXPLORE_ONE_IN = 32;
    private static final long EXPLORE_NANOS = 1_000_000_000L;
    private static final double ALPHA = 1.0 / 8;
    private static final double ALPHA_BEHIND = 1.0 / 2;
    private static final double EXPLORE_COST = 0.02;
    /** Calls estimated to take longer than this alone always split. */
    static final double LONG_CALL_NANOS = 4e6;

    private static final List<SplitChoice> ALL = new ArrayList<>();

    /** One site per lambda class: a call site's loop body (forRange's, or forEach's own). */
    private static final ClassValue<SplitChoice> BY_CLASS = new ClassValue<>() {
        @Override
        protected SplitChoice computeValue(Class<?> type) {
            String name = type.getName();
            int cut = name.indexOf("$$Lambda");
            return new SplitChoice(cut > 0 ? name.substring(name.lastIndexOf('.') + 1, cut) + " loop" : name);
        }
    };

    static {
        if (Boolean.getBoolean("backprop.split.report")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(report()), "backprop-split-report"));
        }
    }

    private final String name;
    /** Per slot (the buckets, then the shapes): [2s] the caller alone, [2s + 1] the split. */
    private final double[] mean;
    private final long[] taken;
    /** Per slot: when the choice that is behind was last tried. */
    private final long[] tried;
    /** Per slot: the least and most work of the calls recorded (a bucket's range of sizes, for the report). */
    private final long[] minWork, maxWork;

    /** The shapes' open-addressed table: keys (0: free), each one's slot; null where the site keys by size only. */
    private final AtomicLongArray shapeKeys;
    private final int[] shapeSlot;
    /** Per shape slot: its work and its name, for the report. */
    private final long[] shapeWork;
    private final String[] shapeName;
    private final LongFunction<String> describe;
    private int shapes; // grows under the lock; read without it where a rough count will do
    private volatile boolean shapesFull;
    /**
     * Per slot: {@link #COLD} where the call being run is a split tried while a worker was parked
     * (its sample is not counted), {@link #FOLLOW} where the next call is to split again and count.
     */
    private final byte[] probe;
    private static final byte COLD = 1, FOLLOW = 2;
    /** Whether a kernel worker is parked (the split's hand-off would wake it first). */
    private final BooleanSupplier workersParked;

    SplitChoice(String name) {
        this(name, null, Parallel::workerParked);
    }

    /** A site that keys its calls by shape ({@link #slot}); {@code describe} names a key in the report. */
    SplitChoice(String name, LongFunction<String> describe) {
        this(name, describe, Parallel::workerParked);
    }

    /** With how to tell a parked worker (tests model one). */
    SplitChoice(String name, LongFunction<String> describe, BooleanSupplier workersParked) {
        this.name = name;
        this.workersParked = workersParked;
        this.describe = describe;
        int slots = BUCKETS + (describe == null ? 0 : SHAPES);
        mean = new double[2 * slots];
        taken = new long[2 * slots];
        tried = new long[slots];
        probe = new byte[slots];
        minWork = new long[slots];
        maxWork = new long[slots];
        Arrays.fill(minWork, Long.MAX_VALUE);
        shapeKeys = describe == null ? null : new AtomicLongArray(4 * SHAPES);
        shapeSlot = describe == null ? null : new int[4 * SHAPES];
        shapeWork = describe == null ? null : new long[SHAPES];
        shapeName = describe == null ? null : new String[SHAPES];
        synchronized (ALL) {
            ALL.add(this);
        }
    }

    String name() {
        return name;
    }

    static SplitChoice of(Object body) {
        return BY_CLASS.get(body.getClass());
    }

    /** The size bucket of a call with {@code work} units: floor(log2), 0 for less than 2. */
    static int bucket(long work) {
        return Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(Math.max(1, work)));
    }

    /**
     * The slot of a call of shape {@code key} (non-zero, the site's encoding of everything that
     * makes its calls differ in speed) and {@code work} units: the shape's own where the site keys
     * by shape and the shape has one or the table room for one, else the size bucket. Pass it to
     * {@link #split} and {@link #record}.
     */
    int slot(long key, long work) {
        AtomicLongArray keys = shapeKeys;
        if (keys == null || key == 0) return bucket(work);
        int mask = keys.length() - 1;
        for (int h = (int) (key * 0x9E3779B97F4A7C15L >>> 40) & mask, i = 0; i <= mask; i++, h = (h + 1) & mask) {
            long k = keys.get(h);
            if (k == key) return shapeSlot[h]; // written before the key was published
            if (k == 0) return shapesFull ? bucket(work) : register(key, work);
        }
        return bucket(work);
    }

    private synchronized int register(long key, long work) {
        int mask = shapeKeys.length() - 1;
        for (int h = (int) (key * 0x9E3779B97F4A7C15L >>> 40) & mask, i = 0; i <= mask; i++, h = (h + 1) & mask) {
            long k = shapeKeys.get(h);
            if (k == key) return shapeSlot[h];
            if (k != 0) continue;
            if (shapes == SHAPES) {
                shapesFull = true;
                break;
            }
            int slot = BUCKETS + shapes;
            shapeWork[shapes] = Math.max(1, work);
            shapeName[shapes++] = describe.apply(key);
            shapeSlot[h] = slot;
            shapeKeys.set(h, key);
            return slot;
        }
        return bucket(work);
    }

    /** The work of a call of this slot: a shape's own, a bucket's least (2^bucket). */
    private long work(int slot) {
        return slot < BUCKETS ? 1L << slot : shapeWork[slot - BUCKETS];
    }

    /** Whether a call of this slot (a size bucket, or a shape's {@link #slot}) should split over the workers. */
    boolean split(int bucket) {
        Parallel.Split m = mode;
        if (m != Parallel.Split.ADAPTIVE) return m == Parallel.Split.FIXED;
        long alone = taken[2 * bucket], split = taken[2 * bucket + 1];
        double a = mean[2 * bucket], p = mean[2 * bucket + 1];
        // A call that takes milliseconds alone always splits: a hand-off's worst case (a worker
        // descheduled for a host's time slice) is small beside it, while the samples of so few,
        // long calls are noisy enough to flip the choice (a 1024³ product ran alone 17 times in
        // 82, at half the GEMM rate, in a quiet-window run before this rule).
        // The estimate alone is also bounded by the split's time on every thread, so that one slow
        // sample alone (the site's first call, still interpreted: 57 ms for an Adam pass of 0.3 ms)
        // cannot pin the site to splitting, where its mean alone would never be sampled again.
        double aloneEstimate = split > 0 ? Math.min(a, p * Parallel.THREADS) : a;
        if (alone > 0 && aloneEstimate * (double) work(bucket) > LONG_CALL_NANOS) return true;
        if (alone < WARMUP || split < WARMUP) return split <= alone;
        if (probe[bucket] == FOLLOW) { // the split tried last found a worker parked: try it again, awake
            probe[bucket] = 0;
            return true;
        }
        boolean best = p <= a;
        // Trying the other choice costs its excess over the best: keep that near EXPLORE_COST of
        // the time (a split 50x slower on a stolen vCPU: 1 call in 2,500), but try it at least
        // once a second, so that a host that quietens is noticed.
        double excess = (best ? a / p : p / a) - 1; // NaN where both are 0: then explore at the most
        double explore = excess > EXPLORE_COST * EXPLORE_ONE_IN ? EXPLORE_COST / excess : 1.0 / EXPLORE_ONE_IN;
        long now = System.nanoTime();
        // The floor is per bucket; a site's shapes share one between them (each of n shapes at
        // least every n seconds), so that keying by shape does not multiply the tries where the
        // other choice is far behind (a split 3-10x slower on a busy host: a few ms each).
        long floor = bucket < BUCKETS ? EXPLORE_NANOS : EXPLORE_NANOS * Math.max(1, shapes);
        if (ThreadLocalRandom.current().nextDouble() < explore || now - tried[bucket] > floor) {
            tried[bucket] = now;
            // A worker parks after a millisecond without calls, so a split tried after a run of
            // calls alone pays its wake-up (and a product's row split may give up on it and run
            // alone after its patience), which the splits chosen in a row do not: counted, such
            // samples kept a choice alone once it was there. Count the next split instead.
            if (!best && workersParked.getAsBoolean()) probe[bucket] = COLD;
            return !best;
        }
        return best;
    }

    /** Counts a call of {@code work} units that took {@code nanos}, split or not. */
    void record(int bucket, boolean split, long nanos, long work) {
        int i = 2 * bucket + (split ? 1 : 0);
        long n = taken[i]++;
        if (split && probe[bucket] == COLD) {
            probe[bucket] = FOLLOW;
            return;
        }
        if (work < minWork[bucket]) minWork[bucket] = work;
        if (work > maxWork[bucket]) maxWork[bucket] = work;
        if (mode != Parallel.Split.ADAPTIVE) return;
        double perUnit = (double) nanos / Math.max(1, work), old = mean[i];
        if (n < WARMUP) {
            // the first calls of a site include the JIT's cold start: keep the fastest of them
            mean[i] = n == 0 ? perUnit : Math.min(old, perUnit);
        } else {
            // the choice not taken is sampled rarely: each of its samples weighs more
            boolean behind = old > mean[i ^ 1] && taken[i ^ 1] > 0;
            mean[i] = old + (behind ? ALPHA_BEHIND : ALPHA) * (Math.min(perUnit, 4 * old) - old);
        }
    }

    /**
     * Every site's choices so far: calls taken alone and split per bucket, with the means and the
     * least and most work of the calls (a bucket whose calls differ in shape, not only in size,
     * shows a range), then per shape of the sites keyed by shape.
     */
    static String report() {
        StringBuilder s = new StringBuilder("backprop split choices (" + mode.name().toLowerCase(Locale.ROOT) + ", "
                + Parallel.THREADS + " threads): site, log2 work, calls alone / split, ns per unit alone / split, work least..most\n");
        List<SplitChoice> sites;
        synchronized (ALL) {
            sites = new ArrayList<>(ALL);
        }
        long alone = 0, split = 0;
        for (SplitChoice c : sites) {
            for (int b = 0; b < c.tried.length; b++) {
                long a = c.taken[2 * b], p = c.taken[2 * b + 1];
                if (a + p == 0) continue;
                alone += a;
                split += p;
                String site = b < BUCKETS ? c.name : c.name + " " + c.shapeName[b - BUCKETS];
                s.append(String.format(Locale.ROOT, "  %-28s %2d %9d / %-9d %10.3f / %-10.3f %d..%d%n", site,
                        bucket(c.work(b)), a, p, c.mean[2 * b], c.mean[2 * b + 1], c.minWork[b], c.maxWork[b]));
            }
        }
        s.append(String.format(Locale.ROOT, "  all calls: %d alone, %d split%n", alone, split));
        return s.toString();
    }

    private static Parallel.Split parseMode(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "adaptive" -> Parallel.Split.ADAPTIVE;
            case "fixed" -> Parallel.Split.FIXED;
            case "serial" -> Parallel.Split.SERIAL;
            default -> throw new IllegalArgumentException("backprop.split must be adaptive, fixed or serial, not " + s);
        };
    }
}
