package org.backprop.train;

/**
 * A problem {@link GradientHealth} found in the gradients, with advice.
 *
 * @param kind      what went wrong
 * @param epoch     1-based epoch in which it was seen
 * @param parameter the parameter it concerns (for vanishing gradients: the layer weight with the smallest gradient)
 * @param value     the gradient norm that triggered it
 * @param message   one line for a person: what was measured, what it means and what to try
 */
public record HealthWarning(Kind kind, int epoch, String parameter, double value, String message) {

    /** The families of gradient trouble the monitor recognises. */
    public enum Kind {
        /** Gradients shrink on their way back to the first layers, which then barely learn. */
        VANISHING,
        /** Gradients so large that one step can throw the weights far off. */
        EXPLODING
    }

    @Override
    public String toString() {
        return message;
    }
}
