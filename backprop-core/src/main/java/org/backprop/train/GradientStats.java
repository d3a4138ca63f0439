package org.backprop.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link GradientHealth} measured during one epoch. Maps are keyed by parameter name
 * ({@code "0.weight"}, ...) in the model's order.
 *
 * @param epoch          1-based epoch
 * @param steps          optimizer steps measured
 * @param meanGradNorm   per parameter, the L2 norm of its gradient averaged over the epoch's steps
 * @param maxGradNorm    per parameter, the largest L2 norm of its gradient in the epoch
 * @param updateRatio    per parameter, ‖Δw‖/‖w‖ of one optimizer step averaged over the epoch's steps
 *                       (NaN for a parameter whose weights were all zero)
 * @param meanGlobalNorm the norm of all gradients together, averaged over the steps
 * @param maxGlobalNorm  the largest norm of all gradients together in the epoch
 */
public record GradientStats(int epoch, int steps, Map<String, Double> meanGradNorm, Map<String, Double> maxGradNorm,
                            Map<String, Double> updateRatio, double meanGlobalNorm, double maxGlobalNorm) {

    public GradientStats {
        meanGradNorm = Collections.unmodifiableMap(new LinkedHashMap<>(meanGradNorm));
        maxGradNorm = Collections.unmodifiableMap(new LinkedHashMap<>(maxGradNorm));
        updateRatio = Collections.unmodifiableMap(new LinkedHashMap<>(updateRatio));
    }
}
