package org.backprop.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

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
 *
 * <p>The choice never changes results: the parts are the same either way (see {@link Parallel}).
 * The statistics are plain fields, written by whichever thread calls; two trainers in one JVM
 * may lose each other's updates, which only blurs the means.
 */
final class SplitChoice {
    static volatile Parallel.Split mode = parseMode(System.getProperty("backprop.split", "adaptive"));

    private static final int BUCKETS = 64;
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
    /** Per bucket: [2b] the caller alone, [2b + 1] the split. */
    private final double[] mean = new double[2 * BUCKETS];
    private final long[] taken = new long[2 * BUCKETS];
    /** Per bucket: when the choice that is behind was last tried. */
    private final long[] tried = new long[BUCKETS];

    SplitChoice(String name) {
        this.name = name;
        synchronized (ALL) {
            ALL.add(this);
        }
    }

    static SplitChoice of(Object body) {
        return BY_CLASS.get(body.getClass());
    }

    /** The size bucket of a call with {@code work} units: floor(log2), 0 for less than 2. */
    static int bucket(long work) {
        return Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(Math.max(1, work)));
    }

    /** Whether a call of this bucket should split over the workers. */
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
        if (alone > 0 && aloneEstimate * (double) (1L << bucket) > LONG_CALL_NANOS) return true;
        if (alone < WARMUP || split < WARMUP) return split <= alone;
        boolean best = p <= a;
        // Trying the other choice costs its excess over the best: keep that near EXPLORE_COST of
        // the time (a split 50x slower on a stolen vCPU: 1 call in 2,500), but try it at least
        // once a second, so that a host that quietens is noticed.
        double excess = (best ? a / p : p / a) - 1; // NaN where both are 0: then explore at the most
        double explore = excess > EXPLORE_COST * EXPLORE_ONE_IN ? EXPLORE_COST / excess : 1.0 / EXPLORE_ONE_IN;
        long now = System.nanoTime();
        if (ThreadLocalRandom.current().nextDouble() < explore || now - tried[bucket] > EXPLORE_NANOS) {
            tried[bucket] = now;
            return !best;
        }
        return best;
    }

    /** Counts a call of {@code work} units that took {@code nanos}, split or not. */
    void record(int bucket, boolean split, long nanos, long work) {
        int i = 2 * bucket + (split ? 1 : 0);
        long n = taken[i]++;
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

    /** Every site's choices so far: calls taken alone and split per bucket, with the means. */
    static String report() {
        StringBuilder s = new StringBuilder("backprop split choices (" + mode.name().toLowerCase(Locale.ROOT) + ", "
                + Parallel.THREADS + " threads): site, log2 work, calls alone / split, ns per unit alone / split\n");
        List<SplitChoice> sites;
        synchronized (ALL) {
            sites = new ArrayList<>(ALL);
        }
        long alone = 0, split = 0;
        for (SplitChoice c : sites) {
            for (int b = 0; b < BUCKETS; b++) {
                long a = c.taken[2 * b], p = c.taken[2 * b + 1];
                if (a + p == 0) continue;
                alone += a;
                split += p;
                s.append(String.format(Locale.ROOT, "  %-28s %2d %9d / %-9d %10.3f / %.3f%n", c.name, b, a, p,
                        c.mean[2 * b], c.mean[2 * b + 1]));
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
