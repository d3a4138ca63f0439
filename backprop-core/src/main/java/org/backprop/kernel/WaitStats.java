package org.backprop.kernel;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opt-in ({@code -Dbackprop.parallel.stats=true}) counts of where a split call's caller waits:
 * per site, the calls split, the time the caller ran its own parts and the time it then waited
 * for the workers (load imbalance, a late wake-up), printed at exit. Off, it costs one branch a call.
 */
final class WaitStats {
    private WaitStats() {}

    static final boolean ON = Boolean.getBoolean("backprop.parallel.stats");

    private static final Map<String, long[]> SITES = new ConcurrentHashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(report()), "backprop-wait-stats"));
    }

    static void add(SplitChoice site, long ownNanos, long waitNanos, long[] times) {
        long[] c = SITES.computeIfAbsent(site == null ? "together" : site.name(), k -> new long[7]);
        synchronized (c) {
            c[0]++;
            c[1] += ownNanos;
            c[2] += waitNanos;
            // the first worker: how late it started, how long its parts took (where it finished
            // before the caller returned: a worker that found every part claimed may write later)
            if (times.length > 2 && times[1] != 0 && times[2] >= times[1]) {
                c[3] += times[1] - times[0];
                c[4] += times[2] - times[1];
            }
        }
    }

    /** A call that could have split and ran alone on the caller. */
    static void alone(SplitChoice site, long nanos) {
        long[] c = SITES.computeIfAbsent(site == null ? "together" : site.name(), k -> new long[7]);
        synchronized (c) {
            c[5]++;
            c[6] += nanos;
        }
    }

    static String report() {
        StringBuilder s = new StringBuilder("backprop parallel waits: site, calls split, caller's own parts ms, caller waiting ms, worker start delay ms, worker parts ms, calls alone, alone ms\n");
        SITES.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[2], a.getValue()[2])).forEach(e ->
                s.append(String.format(Locale.ROOT, "  %-28s %7d %9.1f %9.1f %9.1f %9.1f %7d %9.1f%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1] / 1e6, e.getValue()[2] / 1e6, e.getValue()[3] / 1e6, e.getValue()[4] / 1e6,
                        e.getValue()[5], e.getValue()[6] / 1e6)));
        return s.toString();
    }
}
