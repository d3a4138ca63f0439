package org.backprop.spark;

import java.util.List;
import java.util.Locale;

/**
 * Mean cost of a run's rounds, part by part, in milliseconds (see {@link RoundStats.Parts}):
 * wall = broadcast + job + driver step, and job = scheduling (task launch, result transfer,
 * treeReduce) + load + compute. In barrier stages the scheduling part holds the rounds' exchanges
 * between the tasks ({@code exchangeMillis}, of which {@code waitMillis} waiting for the slowest
 * peer) and the step every task takes on its replica ({@code replicaStepMillis}); the rest of it is
 * the epoch's stage launch and result, shared out.
 */
public record RoundCost(int rounds, double wallMillis, double broadcastMillis, double schedulingMillis, double loadMillis,
        double computeMillis, double driverMillis, double jobsPerRound, long bytesOut, long bytesBack, double exchangeMillis,
        double waitMillis, double replicaStepMillis) {

    /** The mean over {@code stats} (empty: all NaN). */
    public static RoundCost of(List<RoundStats> stats) {
        int n = stats.size();
        double wall = 0, broadcast = 0, scheduling = 0, load = 0, compute = 0, driver = 0, jobs = 0, exchange = 0, wait = 0, step = 0;
        for (RoundStats s : stats) {
            wall += s.wallNanos();
            broadcast += s.parts().broadcastNanos();
            scheduling += s.schedulingNanos();
            load += s.parts().loadNanos();
            compute += s.computeNanos();
            driver += s.parts().driverNanos();
            jobs += s.parts().jobs();
            exchange += s.parts().exchangeNanos();
            wait += s.parts().waitNanos();
            step += s.parts().replicaStepNanos();
        }
        double k = 1e6 * n;
        return new RoundCost(n, wall / k, broadcast / k, scheduling / k, load / k, compute / k, driver / k, jobs / n,
                n == 0 ? 0 : stats.getLast().bytesOut(), n == 0 ? 0 : stats.getLast().bytesBack(), exchange / k, wait / k, step / k);
    }

    /** Wall time not spent computing, over compute (the overhead ratio). */
    public double overheadRatio() {
        return (wallMillis - computeMillis) / computeMillis;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d rounds: wall %.1f ms = broadcast %.1f + scheduling/transfer/reduce %.1f + load %.1f"
                + " + compute %.1f + driver step %.1f (%.1f jobs a round; overhead %.1f× compute; %d bytes out, %d back;"
                + " barrier: exchange %.1f of which waiting %.1f, replica step %.1f)",
                rounds, wallMillis, broadcastMillis, schedulingMillis, loadMillis, computeMillis, driverMillis, jobsPerRound,
                overheadRatio(), bytesOut, bytesBack, exchangeMillis, waitMillis, replicaStepMillis);
    }
}
