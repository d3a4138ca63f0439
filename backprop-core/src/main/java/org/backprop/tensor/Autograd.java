package org.backprop.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The backward driver: orders the graph below a root topologically, then walks it in reverse,
 * handing each node the summed gradient of its output and adding what it returns to its inputs.
 * Gradients reaching a leaf that requires grad are accumulated into {@link Tensor#grad()}
 * ({@code +=}, as in PyTorch), which is what makes a tensor used twice get the right gradient.
 */
public final class Autograd {
    private Autograd() {}

    public static void backward(Tensor root, Tensor seed) {
        backward(root, seed, null);
    }

    /**
     * {@link #backward(Tensor, Tensor)} that calls {@code leafDone} with each leaf that requires
     * grad and has a gradient, as soon as that gradient is final: in the reverse topological walk
     * every node that consumes a leaf runs before the leaf is reached, whether it added into the
     * leaf's buffer directly ({@link Tensor#leafGradBuffer()}) or returned a gradient. The hook
     * runs under no-grad; it may change the leaf's data, because nothing left in the walk reads it.
     */
    public static void backward(Tensor root, Tensor seed, Consumer<Tensor> leafDone) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): the tensor does not require grad; no parameter"
                    + " that requires grad took part in computing it (or it was computed under noGrad)");
        }
        if (!Shape.same(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward(): seed gradient shape " + Shape.str(seed.shape())
                    + " differs from the tensor's shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        boolean wasRecording = Tensor.setGradEnabled(false); // gradient computations are not recorded
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                Node node = t.gradFn();
                if (node == null) {
                    if (!t.requiresGrad()) continue;
                    if (g != null) t.accumulateGrad(g);
                    if (leafDone != null && t.hasGrad()) leafDone.accept(t); // hasGrad: a deferred gradient stays unwritten
                    continue;
                }
                if (g == null) continue;
                Tensor[] inputGrads = node.backward().apply(g);
                Tensor[] inputs = node.inputs();
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor ig = inputGrads[k];
                    if (ig == null || !in.requiresGrad()) continue;
                    ig = sumToShape(ig, in.shape(), node.op());
                    Tensor previous = grads.get(in);
                    grads.put(in, previous == null ? ig : sum(previous, ig));
                }
            }
        } finally {
            Tensor.setGradEnabled(wasRecording);
        }
    }

    /**
     * a + b for a tensor reached by two paths (a transformer's residual stream, every block):
     * into a new array, as either may also be another input's gradient, but one from the step's
     * arena when a scope is open, where an add allocated a fresh array each time.
     */
    private static Tensor sum(Tensor a, Tensor b) {
        if (!a.isContiguous() || !b.isContiguous() || !Shape.same(a.shape(), b.shape())) return a.add(b);
        int n = a.numel();
        float[] out = StepArena.scratch(n); // every element written
        org.backprop.kernel.Vec.binary(org.backprop.kernel.Vec.Op.ADD, a.array(), a.offset(), b.array(), b.offset(), out, 0, n);
        return Tensor.contiguousOver(out, a.shape());
    }

    private static final Tensor[] NO_INPUTS = {};

    /** Inputs before outputs; iterative so deep graphs (long unrolled loops) cannot overflow the stack. */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        // The depth-first stack as two parallel arrays (tensor, next input to visit): no frame objects.
        Tensor[] stack = new Tensor[16];
        int[] next = new int[16];
        int depth = 0;
        stack[0] = root;
        depth = 1;
        visited.put(root, Boolean.TRUE);
        while (depth > 0) {
            Tensor t = stack[depth - 1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? NO_INPUTS : node.inputs();
            int i = next[depth - 1];
            if (i < inputs.length) {
                next[depth - 1] = i + 1;
                Tensor in = inputs[i];
                if (in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    if (depth == stack.length) {
                        stack = Arrays.copyOf(stack, depth * 2);
                        next = Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = in;
                    next[depth] = 0;
                    depth++;
                }
            } else {
                stack[--depth] = null;
                order.add(t);
            }
        }
        return order;
    }

    /**
     * Sums a gradient of a broadcast shape down to the operand's shape: over leading dimensions
     * the operand lacks, and over dimensions where the operand has size 1. Broadcasting is undone
     * here, once, rather than in every operation's backward.
     */
    public static Tensor sumToShape(Tensor g, int[] shape, String op) {
        int[] gs = g.shape();
        if (Shape.same(gs, shape)) return g;
        if (gs.length < shape.length) {
            throw new IllegalStateException(op + ": gradient of shape " + Shape.str(gs)
                    + " cannot be reduced to operand shape " + Shape.str(shape));
        }
        Tensor r = g;
        int lead = gs.length - shape.length;
        for (int i = 0; i < lead; i++) r = r.sum(0, false);
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1 && r.shape()[i] != 1) r = r.sum(i, true);
        }
        if (!Shape.same(r.shape(), shape)) {
            throw new IllegalStateException(op + ": gradient of shape " + Shape.str(gs)
                    + " does not match operand shape " + Shape.str(shape));
        }
        return r;
    }
}
