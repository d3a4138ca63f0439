package org.backprop.spark;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.backprop.nn.Module;

/**
 * Executor-side pool of model copies, one pool per training run, so that a step reuses a module
 * built by the factory instead of building (and initialising) a new one per task. A task borrows
 * a replica, loads the broadcast weights into it, and gives it back. Only the most recent runs
 * are kept, so a long-lived executor does not hold on to finished runs.
 */
final class Replicas {
    private static final int RUNS_KEPT = 4;
    private static final Map<String, ArrayDeque<Replica>> POOLS = new LinkedHashMap<>();

    private Replicas() {}

    /** A model copy and its layout (checked against the driver's once, when built). */
    record Replica(Module module, StateLayout layout) {}

    static Replica borrow(String runId, SerializableSupplier<? extends Module> factory, StateLayout expected) {
        synchronized (POOLS) {
            ArrayDeque<Replica> pool = POOLS.get(runId);
            if (pool != null && !pool.isEmpty()) return pool.pop();
        }
        Module m = factory.get();
        if (m == null) throw new IllegalStateException("the model factory returned null");
        StateLayout layout = StateLayout.of(m);
        expected.requireSame(layout, "executor");
        m.train();
        return new Replica(m, expected);
    }

    static void giveBack(String runId, Replica r) {
        synchronized (POOLS) {
            POOLS.computeIfAbsent(runId, k -> new ArrayDeque<>()).push(r);
            while (POOLS.size() > RUNS_KEPT) POOLS.remove(POOLS.keySet().iterator().next());
        }
    }

    private record OrderKey(String runId, int epoch, int partition) {}

    private static final Map<OrderKey, int[]> ORDERS = new LinkedHashMap<>();

    /**
     * The partition's row order for an epoch, computed once per epoch rather than once per step
     * (for a large partition the shuffle costs more than a small step's gradient).
     */
    static int[] order(String runId, BatchPlan plan, int epoch, int partition) {
        OrderKey key = new OrderKey(runId, epoch, partition);
        synchronized (ORDERS) {
            int[] o = ORDERS.get(key);
            if (o != null) return o;
        }
        int[] o = plan.order(epoch, partition);
        synchronized (ORDERS) {
            ORDERS.put(key, o);
            // an executor holds a few partitions: keep about two epochs' worth of them
            while (ORDERS.size() > 64) ORDERS.remove(ORDERS.keySet().iterator().next());
        }
        return o;
    }

    /** Drops the pool of a finished run (the driver calls this; in local mode it is the executor's JVM too). */
    static void release(String runId) {
        synchronized (POOLS) {
            POOLS.remove(runId);
        }
        synchronized (ORDERS) {
            ORDERS.keySet().removeIf(k -> k.runId().equals(runId));
        }
    }
}
