package org.backprop.io;

import java.util.Random;
import org.backprop.nn.Module;

/**
 * One layer of a saved {@link ArchitectureSpec}: enough to rebuild the layer without code.
 * Sealed, so every consumer (the builder, the JSON codec, the PyTorch script's mapping) can
 * handle each kind exhaustively.
 */
public sealed interface LayerSpec permits LinearSpec, ActivationSpec {

    /** A new module for this layer; parameters are drawn from {@code rng} (and usually overwritten by a load). */
    Module build(Random rng);

    /** Short human-readable form, e.g. {@code Linear(in=4, out=3, bias=true)} or {@code leaky_relu(0.01)}. */
    String describe();
}
