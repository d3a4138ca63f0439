package org.backprop.data;

import java.util.SplittableRandom;
import org.backprop.tensor.Tensor;

/**
 * A random, label-preserving change to the features of a training batch (data augmentation),
 * applied by the trainer to each batch before the forward pass and never to validation or test
 * data. The trainer hands in a generator seeded by the run's seed, the epoch and the step, so a
 * run is repeatable and a resumed run draws what the uninterrupted one would have drawn.
 */
@FunctionalInterface
public interface BatchTransform {

    /** A new features tensor for the batch; {@code features} itself is left as it is. */
    Tensor apply(Tensor features, SplittableRandom rng);
}
