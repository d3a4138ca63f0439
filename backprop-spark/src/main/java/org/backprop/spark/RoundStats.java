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
 */
public record RoundStats(int epoch, int firstStep, int steps, long samples, double loss, long wallNanos,
        long computeNanos, long bytesOut, long bytesBack) {

    /** The part of the round not spent computing: scheduling, serialisation, transfer and reduction. */
    public long overheadNanos() {
        return Math.max(0, wallNanos - computeNanos);
    }
}
