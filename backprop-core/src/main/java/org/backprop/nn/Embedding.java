package org.backprop.nn;

import java.util.Arrays;
import java.util.Random;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * A lookup table: row i of the weight [num, dim] is the vector of token i. Input: a tensor of
 * any shape holding whole-number indices (stored as floats, as every tensor here); output: that
 * shape with an axis of {@code dim} appended.
 *
 * <p>The backward adds each output row's gradient into the weight row it was read from, so only
 * used rows are touched and no one-hot matrix is ever built. The row {@code paddingIdx} (if not
 * {@code -1}) starts at zero and never receives a gradient, as in PyTorch. Default initialisation
 * is PyTorch's: N(0, 1).
 */
public final class Embedding extends Module {
    public final int num;
    public final int dim;
    /** The padding row, or -1 for none. */
    public final int paddingIdx;
    public final Parameter weight; // (num, dim)

    public Embedding(int num, int dim, Random rng) {
        this(num, dim, -1, rng);
    }

    /** @param paddingIdx a row in [0, num) kept at zero that never receives a gradient, or -1 for none */
    public Embedding(int num, int dim, int paddingIdx, Random rng) {
        if (num <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got num=" + num + ", dim=" + dim);
        }
        if (paddingIdx < -1 || paddingIdx >= num) {
            throw new IllegalArgumentException("Embedding: paddingIdx " + paddingIdx + " is outside [0, " + num + ") (or -1 for none)");
        }
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(num, dim)));
        float[] w = weight.data();
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        if (paddingIdx >= 0) Arrays.fill(w, paddingIdx * dim, (paddingIdx + 1) * dim, 0f);
    }

    /** The rows of the given indices, shape {@code indices.shape() + [dim]}. */
    @Override
    public Tensor forward(Tensor indices) {
        int[] ids = indices(indices);
        int[] inShape = indices.shape();
        int[] outShape = Arrays.copyOf(inShape, inShape.length + 1);
        outShape[inShape.length] = dim;
        float[] w = weight.data();
        float[] y = new float[ids.length * dim];
        for (int r = 0; r < ids.length; r++) System.arraycopy(w, ids[r] * dim, y, r * dim, dim);
        Tensor table = weight.value();
        return Tensor.fromOperation(y, outShape, "embedding", grad -> {
            Tensor g = grad.contiguous();
            float[] gd = g.array();
            int go = g.offset();
            float[] dw = table.leafGradBuffer();
            Tensor result = null;
            if (dw == null) result = Tensor.wrap(dw = new float[num * dim], num, dim);
            for (int r = 0; r < ids.length; r++) {
                int row = ids[r];
                if (row == paddingIdx) continue;
                int to = row * dim, from = go + r * dim;
                for (int j = 0; j < dim; j++) dw[to + j] += gd[from + j];
            }
            return new Tensor[] {result};
        }, table);
    }

    /** The indices as ints, checked: each a whole number in [0, num). */
    private int[] indices(Tensor indices) {
        float[] v = indices.toFloatArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            int id = (int) f;
            if (id != f || id < 0 || id >= num) {
                throw new IllegalArgumentException("Embedding(" + num + ", " + dim + "): index " + f + " at position " + i
                        + " of the input " + Shape.str(indices.shape()) + " is not a whole number in [0, " + num + ")");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** A tensor of the given indices, for {@link #forward}. */
    public static Tensor indices(int[] ids, int... shape) {
        float[] v = new float[ids.length];
        for (int i = 0; i < ids.length; i++) v[i] = ids[i];
        return Tensor.wrap(v, shape);
    }

    @Override
    protected String extraRepr() {
        return "num=" + num + ", dim=" + dim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "");
    }
}
