package org.backprop.spark;

import java.io.Serializable;
import java.util.List;
import org.backprop.nn.Parameter;
import org.backprop.optim.Optimizer;

/**
 * Builds an optimizer of the user's kind and options over a worker's copy of the model, for
 * local SGD where each partition steps on its own: e.g. {@code params -> new SGD(params, 0.1)}.
 * It must build the same kind of optimizer as the one trained on the driver.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    Optimizer create(List<Parameter> parameters);
}
