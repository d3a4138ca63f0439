package org.backprop.train;

import java.util.List;
import org.backprop.nn.Parameter;

/**
 * Hooks into {@link Trainer#fit}: progress display, gradient-health monitoring, gradient clipping.
 * Every method does nothing by default; implement the ones needed.
 */
public interface Callback {

    /** Before the first batch of an epoch (1-based). */
    default void onEpochStart(int epoch) {}

    /**
     * After {@code loss.backward()} and before {@code optimizer.step()}: the gradients of the
     * model's parameters are final and may be read or changed in place (for example clipped).
     * They have already been checked to be finite.
     */
    default void beforeStep(List<Parameter> parameters) {}

    /** After the optimizer's step on one batch. */
    default void onBatchEnd(StepInfo step) {}

    /** After the epoch's validation, before the learning-rate schedule and the stopping rules. */
    default void onEpochEnd(EpochResult result) {}
}
