package org.backprop.spark;

import java.util.List;

/**
 * The outcome of {@link SparkTrainer#fit}: the trained weights are in the model that was passed
 * in; this holds the history.
 *
 * @param epochLoss mean training loss of each epoch
 * @param steps     optimizer steps taken (for local SGD: steps of each partition's copy)
 * @param rounds    per-round statistics, in order
 */
public record SparkTrainResult(List<Double> epochLoss, long steps, List<RoundStats> rounds) {
    public SparkTrainResult {
        epochLoss = List.copyOf(epochLoss);
        rounds = List.copyOf(rounds);
    }

    /** Mean wall time per round, in milliseconds, leaving out the first {@code warmup} rounds. */
    public double meanRoundMillis(int warmup) {
        return rounds.stream().skip(warmup).mapToLong(RoundStats::wallNanos).average().orElse(Double.NaN) / 1e6;
    }

    /** Mean per-partition compute per round, in milliseconds, leaving out the first {@code warmup} rounds. */
    public double meanComputeMillis(int warmup) {
        return rounds.stream().skip(warmup).mapToLong(RoundStats::computeNanos).average().orElse(Double.NaN) / 1e6;
    }

    /** Mean cost of the rounds part by part, leaving out the first {@code warmup} rounds. */
    public RoundCost cost(int warmup) {
        return RoundCost.of(rounds.subList(Math.min(warmup, rounds.size()), rounds.size()));
    }
}
