package org.backprop.optim;

/**
 * Changes an optimizer's learning rate as training goes on. The fit loop calls {@link #step}
 * once at the end of every epoch with the monitored value (the validation loss when there is a
 * validation set, else the training loss); schedules that ignore it (step, exponential, cosine)
 * just count epochs. Implementations: {@link StepLR}, {@link ExponentialLR},
 * {@link CosineAnnealingLR}, {@link ReduceLROnPlateau}; the current rate is {@link Optimizer#lr()}.
 */
@FunctionalInterface
public interface LrScheduler {
    void step(double monitoredValue);
}
