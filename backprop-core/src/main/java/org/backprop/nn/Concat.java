package org.backprop.nn;

import java.util.Arrays;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/** Concatenation along the first axis, with its backward (each part gets its rows of the gradient). */
final class Concat {
    private Concat() {}

    /** The parts one after another along axis 0; the other axes must agree. One part is returned as it is. */
    static Tensor rows(Tensor... parts) {
        if (parts.length == 1) return parts[0];
        int[] shape = parts[0].shape();
        int total = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            if (s.length != shape.length || !Arrays.equals(s, 1, s.length, shape, 1, shape.length)) {
                throw new IllegalArgumentException("concat: shapes " + Shape.str(shape) + " and " + Shape.str(s)
                        + " differ beyond the first axis");
            }
            total += s[0];
        }
        int[] outShape = shape.clone();
        outShape[0] = total;
        float[] out = new float[Shape.numel(outShape)];
        int[] starts = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = at;
            float[] v = parts[i].toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return Tensor.fromOperation(out, outShape, "concat", grad -> {
            float[] g = grad.toFloatArray();
            Tensor[] grads = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].requiresGrad()) continue;
                grads[i] = Tensor.wrap(Arrays.copyOfRange(g, starts[i], starts[i] + parts[i].numel()), parts[i].shape());
            }
            return grads;
        }, parts);
    }
}
