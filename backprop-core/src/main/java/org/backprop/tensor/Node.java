package org.backprop.tensor;


/**
 * One recorded operation in the autograd graph: the tensors it read and the function that turns
 * the gradient of its output into the gradients of those inputs (the chain rule's local step).
 * The output tensor holds its node; inputs hold theirs, so the graph is reachable from the loss.
 *
 * @param op       the operation's name, for error messages and graph dumps
 * @param inputs   the operands, in the order {@code backward} returns their gradients
 * @param backward maps dL/d(output) to dL/d(input_i); may return {@code null} for an input
 *                 that needs no gradient. Results may have a broadcast shape: the engine sums
 *                 them down to each input's shape.
 */
public record Node(String op, Tensor[] inputs, Backward backward) {

    /** The local derivative of an operation, written next to its forward computation. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }
}
