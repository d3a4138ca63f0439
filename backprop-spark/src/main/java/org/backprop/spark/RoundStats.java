package org.backprop.spark;

/**
 * What one round of communication cost and achieved.
 *
 * @param epoch          epoch (from 1)
 * @param firstStep      first step of the round within the epoch
 * @param steps          optimizer steps the round covered
 * @param samples        samples processed, over all partitions
 * @param loss           mean loss over those samples (before the update)
 * @param wallNanos      driver wall time of the round: flatten, broadcast, tasks, reduction, update
 * @param computeNanos   mean time a partition spent in forward, backward and local optimizer steps
 * @param bytesOut       bytes the driver broadcast (one copy; each executor fetches one)
 * @param bytesBack      bytes of float arrays the partitions sent back (before the tree combines them)
 * @param parts          where the wall time went
 */
public record RoundStats(int epoch, int firstStep, int steps, long samples, double loss, long wallNanos,
        long computeNanos, long bytesOut, long bytesBack, Parts parts) {

    /**
     * The round's wall time, part by part, as cheap timers on the driver and in the tasks see it.
     *
     * @param broadcastNanos driver: flattening the state and creating the broadcast
     * @param loadNanos      mean per partition: fetching the broadcast and loading it into the model copy
     * @param jobNanos       driver: the Spark job(s) of the round, from submission to the reduced result
     *                       (task launch and scheduling, load, compute, result transfer, treeReduce)
     * @param driverNanos    driver: putting the result into the model and the optimizer's step
     * @param jobs           Spark jobs the round ran (1, or more with synchronised BatchNorm; in barrier
     *                       stages 1 in the epoch's first round, else 0)
     * @param exchangeNanos  barrier stages, mean per partition: the round's exchange between the tasks
     *                       ({@link PeerLinks}: encode, send, wait, receive, sum); 0 a job per round
     * @param waitNanos      barrier stages, mean per partition: the part of the exchange spent waiting
     *                       for the slowest peer's share to start arriving (its compute ran longer)
     * @param replicaStepNanos barrier stages, mean per partition: installing the sum in the task's
     *                       replica and its optimizer step (synchronous) or loading the average (local SGD)
     */
    public record Parts(long broadcastNanos, long loadNanos, long jobNanos, long driverNanos, int jobs, long exchangeNanos,
            long waitNanos, long replicaStepNanos) {
        /** A job per round's parts (nothing exchanged between tasks). */
        public Parts(long broadcastNanos, long loadNanos, long jobNanos, long driverNanos, int jobs) {
            this(broadcastNanos, loadNanos, jobNanos, driverNanos, jobs, 0, 0, 0);
        }
    }

    /** The part of the round not spent computing: scheduling, serialisation, transfer and reduction. */
    public long overheadNanos() {
        return Math.max(0, wallNanos - computeNanos);
    }

    /** The job's time outside the tasks' load and compute: task launch, scheduling, result transfer, treeReduce. */
    public long schedulingNanos() {
        return Math.max(0, parts.jobNanos() - parts.loadNanos() - computeNanos);
    }
}
