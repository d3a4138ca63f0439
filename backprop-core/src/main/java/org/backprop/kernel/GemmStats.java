package org.backprop.kernel;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a split product's time goes, per shape, with {@code -Dbackprop.gemm.stats=true} (for
 * tuning the split; off, every call site is a constant-false branch): the call's wall time, each
 * share's wall time and the part of it spent waiting at the K-block barrier, and the caller's wait
 * at the end (the call's wall less its own share's). Printed to stderr at exit. The bench
 * {@code GemmCpu} gives each thread's CPU time (this module does not read java.management).
 */
final class GemmStats {
    private GemmStats() {}

    static final boolean ON = Boolean.getBoolean("backprop.gemm.stats");

    // per shape: calls split, by rows, call wall, then per share (0 = the caller, 1 = a worker) wall, barrier wait;
    // calls on one thread and their wall
    static final int CALLS = 0, ROWS = 1, WALL = 2, SHARE = 3, SHARE_SLOTS = 2, SERIAL = 7, SERIAL_WALL = 8, SLOTS = 9;

    private static final Map<String, LongAdder[]> BY_SHAPE = new ConcurrentHashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(GemmStats::print));
    }

    static LongAdder[] of(boolean transA, boolean transB, int m, int n, int k) {
        String key = (transA ? "T" : "N") + (transB ? "T" : "N") + ":" + m + "x" + k + "x" + n;
        return BY_SHAPE.computeIfAbsent(key, x -> {
            LongAdder[] s = new LongAdder[SLOTS];
            for (int i = 0; i < SLOTS; i++) s[i] = new LongAdder();
            return s;
        });
    }

    /** The split choice's key of a product: m, n, k (20 bits each) and the transposes; 0 (by size) for larger. */
    static long shapeKey(boolean transA, boolean transB, int m, int n, int k) {
        if ((m | n | k) >= 1 << 20) return 0;
        return ((long) m << 40 | (long) n << 20 | k) << 2 | (transA ? 2 : 0) | (transB ? 1 : 0);
    }

    /** A {@link #shapeKey} as these statistics name a shape: NT:m×k×n. */
    static String describeShape(long key) {
        long mnk = key >>> 2;
        return ((key & 2) != 0 ? "T" : "N") + ((key & 1) != 0 ? "T" : "N") + ":" + (mnk >>> 40) + "x"
                + (mnk & 0xFFFFF) + "x" + (mnk >>> 20 & 0xFFFFF);
    }

    /** Share {@code t}'s wall nanoseconds and its barrier wait (shares past the second are folded into it). */
    static void share(LongAdder[] s, int t, long wall, long waited) {
        int base = SHARE + Math.min(t, 1) * SHARE_SLOTS;
        s[base].add(wall);
        s[base + 1].add(waited);
    }

    private static void print() {
        System.err.printf("gemm stats (µs a call) %-18s %6s %5s %7s | %-15s | %-15s | %7s | %s%n", "shape", "calls", "rows",
                "wall", "caller/barrier", "worker/barrier", "endwait", "serial calls, wall");
        System.err.printf("gemm stats: shares taken over by the caller from a late worker: %d%n", GemmVector.TAKEN_OVER.sum());
        for (var e : new TreeMap<>(BY_SHAPE).entrySet()) {
            LongAdder[] s = e.getValue();
            long calls = s[CALLS].sum(), serial = s[SERIAL].sum();
            double d = Math.max(1, calls) * 1e3;
            System.err.printf("gemm stats %-29s %6d %5d %7.1f | %7.1f %7.1f | %7.1f %7.1f | %7.1f | %d %.1f%n",
                    e.getKey(), calls, s[ROWS].sum(), s[WALL].sum() / d,
                    s[SHARE].sum() / d, s[SHARE + 1].sum() / d, s[SHARE + 2].sum() / d, s[SHARE + 3].sum() / d,
                    (s[WALL].sum() - s[SHARE].sum()) / d, serial, s[SERIAL_WALL].sum() / Math.max(1, serial) / 1e3);
        }
    }
}
