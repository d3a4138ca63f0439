package org.backprop.tensor;

import java.util.Arrays;
import java.util.Random;

/**
 * An n-dimensional array of float32 values that records the operations applied to it, so that
 * {@link #backward()} can compute gradients by the chain rule.
 *
 * <p>Storage is a plain heap {@code float[]} with an offset and row-major strides. Views
 * ({@link #transpose}, {@link #reshape} of a contiguous tensor, {@link #slice}) share the array;
 * most operations read their inputs through {@link #contiguous()}. Keeping the data on the heap
 * lets the Vector API kernels read it directly, and a native BLAS be handed the same array without
 * a copy (see docs/ARCHITECTURE.md).
 *
 * <p>Operations live in {@link Elementwise}, {@link Reductions}, {@link Views} and {@link MatMul},
 * each with its backward written beside its forward; the methods here are the public face.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private boolean requiresGrad;
    /** A leaf's accumulated gradient; created when a gradient first reaches it. */
    private LeafGradient grad;
    private Node gradFn;

    Tensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** A new contiguous tensor over {@code data} (not copied) with the given shape. */
    static Tensor contiguousOver(float[] data, int[] shape) {
        return new Tensor(data, 0, shape.clone(), Shape.contiguousStrides(shape));
    }

    // ---------------------------------------------------------------- factories

    /** A tensor holding a copy of {@code values}, laid out in the given shape (row-major). */
    public static Tensor of(float[] values, int... shape) {
        return wrap(values.clone(), shape);
    }

    /** A tensor that uses {@code values} as its storage, without copying. */
    public static Tensor wrap(float[] values, int... shape) {
        int n = Shape.numel(shape);
        if (values.length != n) {
            throw new IllegalArgumentException("Tensor.of: " + values.length + " values do not fill shape "
                    + Shape.str(shape) + " (" + n + " elements)");
        }
        return contiguousOver(values, shape);
    }

    /** A 2-D tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("Tensor.of: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return contiguousOver(flat, new int[] {rows.length, cols});
    }

    public static Tensor scalar(float value) {
        return contiguousOver(new float[] {value}, new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return contiguousOver(new float[Shape.numel(shape)], shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        Arrays.fill(d, value);
        return contiguousOver(d, shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    /** Standard normal values drawn from {@code rng}. */
    public static Tensor randn(Random rng, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextGaussian();
        return contiguousOver(d, shape);
    }

    /** Uniform values in [lo, hi) drawn from {@code rng}. */
    public static Tensor rand(Random rng, float lo, float hi, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextFloat();
        return contiguousOver(d, shape);
    }

    /** 0, 1, ..., n-1 as a 1-D tensor. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return contiguousOver(d, new int[] {n});
    }

    // ---------------------------------------------------------------- shape and data

    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** Size of one axis; negative axes count from the end. */
    public int size(int axis) {
        return shape[Shape.axis(axis, shape.length, "size")];
    }

    public int numel() {
        return Shape.numel(shape);
    }

    /**
     * The backing array. Low-level: together with {@link #offset()} and {@link #strides()} it
     * lets kernels, optimizers and serialisers work on the data in place.
     */
    public float[] array() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int[] strides() {
        return strides.clone();
    }

    /** Whether the elements lie in row-major order from {@link #offset()} with no gaps. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Whether this tensor is contiguous and covers its whole backing array from index 0. */
    public boolean isDense() {
        return offset == 0 && data.length == numel() && isContiguous();
    }

    /** This tensor when contiguous, otherwise a contiguous copy (gradients flow through). */
    public Tensor contiguous() {
        return isContiguous() ? this : Views.copy(this);
    }

    /** The values in row-major order, as a new array. */
    public float[] toFloatArray() {
        int n = numel();
        float[] out = new float[n];
        if (isContiguous()) {
            System.arraycopy(data, offset, out, 0, n);
        } else {
            Views.gather(this, out);
        }
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): tensor of shape " + Shape.str(shape) + " has " + numel()
                    + " elements, not 1");
        }
        return data[offset];
    }

    /** The element at the given indices (one per axis). */
    public float get(int... index) {
        return data[flatIndex(index)];
    }

    /** Sets one element in place. Not recorded by autograd: for building inputs and tests. */
    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " entries for a tensor of shape " + Shape.str(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape "
                        + Shape.str(shape));
            }
            p += index[i] * strides[i];
        }
        return p;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient {@link #backward()} should accumulate. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad(): only leaf tensors can change this flag; this one was computed by "
                    + gradFn.op() + " (use detach())");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** The accumulated gradient of a leaf, or {@code null} before any backward pass reached it. */
    public Tensor grad() {
        return grad == null ? null : grad.read();
    }

    /** The operation that produced this tensor, or {@code null} for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * Clears the accumulated gradient (sets it to zero in place, keeping the buffer). A large one
     * is cleared by all kernel threads: for the MLP's 200K-weight layer the serial fill was 5% of
     * a training step.
     */
    public void zeroGrad() {
        if (grad != null) grad.zero();
    }

    /**
     * Sets the gradient to zero without writing its buffer: {@link #grad()} fills it when it is
     * next read, and a backward that writes the whole gradient ({@link #leafGradBufferToOverwrite})
     * writes it instead of adding to zeros, so a training step saves two passes over it (the fill
     * and the read of the zeros). The fused optimizer step uses it.
     */
    public void markGradZero() {
        if (grad != null) grad.markZero();
    }

    /** Drops the gradient buffer. */
    public void clearGrad() {
        if (grad != null) grad.clear();
    }

    /** Adds {@code g} into this leaf's gradient; used by the backward driver. */
    public void accumulateGrad(Tensor g) {
        if (!Shape.same(g.shape, shape)) {
            throw new IllegalArgumentException("accumulateGrad: gradient shape " + Shape.str(g.shape)
                    + " does not match tensor shape " + Shape.str(shape));
        }
        leafGradient().accumulate(g);
    }

    /**
     * For fused backward functions: the gradient array of a leaf that requires grad (created
     * zero-filled if it has none yet), so that the backward can add its contribution in place,
     * e.g. as a product with beta = 1, and return {@code null} for this input instead of a new
     * array for the driver to add. {@code null} when this tensor is not such a leaf: then return
     * the gradient as usual. Call it only from inside a {@link Node.Backward}.
     */
    public float[] leafGradBuffer() {
        if (gradFn != null || !requiresGrad) return null;
        return leafGradient().buffer();
    }

    /**
     * For fused backward functions that can write a leaf's whole gradient (a product with beta =
     * 0): the gradient array when the gradient is zero and its buffer unwritten (after
     * {@link #markGradZero}, or before the first backward), which the caller must then overwrite
     * entirely, with the values it would have added to zeros; {@code null} otherwise (use
     * {@link #leafGradBuffer()} and add). Call it only from inside a {@link Node.Backward}.
     */
    public float[] leafGradBufferToOverwrite() {
        if (gradFn != null || !requiresGrad) return null;
        return leafGradient().bufferToOverwrite();
    }

    /**
     * For fused backward functions whose contribution to a 2-D leaf's gradient is the rank-1
     * product a·bᵀ (a batch-1 weight gradient, [rows, cols] = this shape; a and b contiguous from
     * their offsets): when {@link #leafGradBufferToOverwrite} would hand out the buffer, records
     * the factors instead and returns true; the product is written, with the bits of
     * {@code Gemm.sgemm(true, false, rows, cols, 1, 1, a, .., b, .., 0, ..)}, when the gradient
     * is next read, unless the fused optimizer step takes the factors first
     * ({@link #leafGradOuterFactors}). Returns false, recording nothing, otherwise.
     */
    public boolean deferLeafGradOuter(float[] a, int aOff, float[] b, int bOff) {
        if (gradFn != null || !requiresGrad || shape.length != 2) return false;
        return leafGradient().deferOuter(a, aOff, b, bOff);
    }

    /** The factors {a, b} of a gradient deferred by {@link #deferLeafGradOuter} and not yet written (the leaf's own buffers: read them, valid until the next backward), or {@code null}. */
    public float[][] leafGradOuterFactors() {
        return grad == null ? null : grad.outerFactors();
    }

    /** Whether {@link #grad()} is not null, without writing a deferred gradient. */
    boolean hasGrad() {
        return grad != null && grad.present();
    }

    private LeafGradient leafGradient() {
        if (grad == null) grad = new LeafGradient(shape);
        return grad;
    }

    /** Backpropagates from a scalar (one-element) tensor, seeding its gradient with 1. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward(): called on a tensor of shape " + Shape.str(shape)
                    + "; pass a seed gradient of that shape or reduce it to a scalar first (e.g. mean())");
        }
        Autograd.backward(this, full(1f, shape));
    }

    /** Backpropagates with an explicit gradient of this tensor's shape. */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /** A tensor sharing this one's data but cut from the graph: no gradient flows through it. */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides);
    }

    /** A deep copy of the values, cut from the graph. */
    public Tensor copy() {
        return contiguousOver(toFloatArray(), shape);
    }

    /**
     * Builds the result of a custom (fused) operation defined outside this package, such as a
     * fused loss or a convolution: a contiguous tensor over {@code values} whose backward is
     * {@code backward}. This is the extension point for operations whose gradient is cheaper to
     * compute directly than through the primitive ops.
     *
     * @param backward maps dL/d(result) to one gradient per input (or {@code null} for inputs
     *                 needing none); it runs under no-grad
     */
    public static Tensor fromOperation(float[] values, int[] shape, String op, Node.Backward backward, Tensor... inputs) {
        return record(wrap(values, shape), op, backward, inputs);
    }

    /**
     * Attaches the backward function of the operation that produced {@code out}, when grad mode
     * is on and an input requires grad. Every operation ends with this call.
     */
    static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GRAD_ENABLED.get()[0]) return out;
        boolean any = false;
        for (Tensor t : inputs) any |= t.requiresGrad;
        if (!any) return out;
        out.requiresGrad = true;
        out.gradFn = new Node(op, inputs, backward);
        return out;
    }

    /**
     * Per thread, whether operations record the graph: PyTorch's {@code torch.is_grad_enabled()}.
     * The flag lives here, beside the one reader that matters ({@link #record}), so the tensor
     * package needs nothing above it; scopes over it are {@code org.backprop.autograd.GradMode}'s.
     */
    private static final ThreadLocal<boolean[]> GRAD_ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** Whether operations on this thread record the graph (on unless a no-grad scope is open). */
    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get()[0];
    }

    /**
     * Turns recording on this thread on or off and returns the previous setting, as PyTorch's
     * {@code torch.set_grad_enabled}. Code outside the engine uses {@code GradMode}'s scopes,
     * which restore the previous setting when closed.
     */
    public static boolean setGradEnabled(boolean enabled) {
        boolean[] flag = GRAD_ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return previous;
    }

    // ---------------------------------------------------------------- elementwise (broadcasting)

    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    public Tensor add(float c) {
        return Elementwise.addScalar(this, c);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    public Tensor sub(float c) {
        return Elementwise.addScalar(this, -c);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    public Tensor mul(float c) {
        return Elementwise.mulScalar(this, c);
    }

    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    public Tensor div(float c) {
        return Elementwise.mulScalar(this, 1f / c);
    }

    /** Elementwise power with a constant exponent; {@code pow(0)} has gradient 0 everywhere, also at 0. */
    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    /**
     * Elementwise power {@code this^exponent} with a tensor exponent (base must be positive where the
     * exponent is not an integer). Where the base is 0 the gradients are PyTorch's: the exponent's is
     * 0 for exponents ≥ 0 (not 0·ln 0 = NaN), and the base's is 0 wherever the exponent is 0.
     */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    public Tensor maximum(Tensor other) {
        return Elementwise.maximum(this, other);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.minimum(this, other);
    }

    public Tensor neg() {
        return Elementwise.mulScalar(this, -1f);
    }

    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /** Natural logarithm; log(0) is -infinity, as in IEEE arithmetic. */
    public Tensor log() {
        return Elementwise.log(this);
    }

    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    public Tensor abs() {
        return Elementwise.abs(this);
    }

    public Tensor square() {
        return Elementwise.mul(this, this);
    }

    /** Limits each value to [min, max]; the gradient is 0 where the value was clamped. */
    public Tensor clamp(float min, float max) {
        return Elementwise.clamp(this, min, max);
    }

    public Tensor relu() {
        return Elementwise.relu(this);
    }

    public Tensor leakyRelu(float negativeSlope) {
        return Elementwise.leakyRelu(this, negativeSlope);
    }

    public Tensor elu(float alpha) {
        return Elementwise.elu(this, alpha);
    }

    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /** GELU, exact form x·Φ(x) with the Gaussian CDF (PyTorch's default). */
    public Tensor gelu() {
        return Elementwise.gelu(this);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements, as a scalar tensor. */
    public Tensor sum() {
        return Reductions.sumAll(this);
    }

    public Tensor sum(int axis, boolean keepDim) {
        return Reductions.sum(this, axis, keepDim);
    }

    /** Mean of all elements; NaN for an empty tensor (0/0), as in PyTorch. */
    public Tensor mean() {
        return Reductions.sumAll(this).mul(1f / numel());
    }

    public Tensor mean(int axis, boolean keepDim) {
        return Reductions.sum(this, axis, keepDim).mul(1f / size(axis));
    }

    /** Largest element, as a scalar tensor; the gradient goes to the first maximum. */
    public Tensor max() {
        return Reductions.max(reshape(-1), 0, false);
    }

    public Tensor max(int axis, boolean keepDim) {
        return Reductions.max(this, axis, keepDim);
    }

    /** Flat index of the largest element (first one on ties). */
    public int argmax() {
        return (int) Reductions.argmax(reshape(-1), 0, false).item();
    }

    /** Indices of the largest elements along an axis, as float values (not differentiable). */
    public Tensor argmax(int axis, boolean keepDim) {
        return Reductions.argmax(this, axis, keepDim);
    }

    /** Softmax along an axis, computed stably (the maximum is subtracted first). */
    public Tensor softmax(int axis) {
        return Reductions.softmax(this, axis);
    }

    /** log(softmax(x)) along an axis, computed as x - max - log(Σ exp(x - max)). */
    public Tensor logSoftmax(int axis) {
        return Reductions.logSoftmax(this, axis);
    }

    // ---------------------------------------------------------------- products

    /**
     * Matrix product. 2-D: [m,k]·[k,n] → [m,n]. Higher ranks multiply the last two axes and
     * broadcast the leading (batch) axes. A 1-D operand is treated as a row (left) or column (right)
     * vector and that axis is dropped from the result, as in NumPy.
     */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    // ---------------------------------------------------------------- views

    /** Swaps two axes; a view sharing this tensor's data. */
    public Tensor transpose(int axis0, int axis1) {
        return Views.transpose(this, axis0, axis1);
    }

    /** The transpose of a 2-D tensor (a view). */
    public Tensor t() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("t(): expects a 2-D tensor, got shape " + Shape.str(shape));
        }
        return Views.transpose(this, 0, 1);
    }

    /** Same elements, new shape (one entry may be -1); a view when this tensor is contiguous. */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /** Flattens every axis from {@code startAxis} on into one. */
    public Tensor flatten(int startAxis) {
        int a = Shape.axis(startAxis, shape.length, "flatten");
        int[] ns = Arrays.copyOf(shape, a + 1);
        int rest = 1;
        for (int i = a; i < shape.length; i++) rest *= shape[i];
        ns[a] = rest;
        return reshape(ns);
    }

    /** Elements {@code from} (inclusive) to {@code to} (exclusive) along an axis; a view. */
    public Tensor slice(int axis, int from, int to) {
        return Views.slice(this, axis, from, to);
    }

    /** Inserts an axis of size 1. */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + shape.length + 1 : axis;
        if (a < 0 || a > shape.length) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for rank " + shape.length);
        }
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) ns[i] = i == a ? 1 : shape[j++];
        return reshape(ns);
    }

    /** Removes an axis of size 1. */
    public Tensor squeeze(int axis) {
        int a = Shape.axis(axis, shape.length, "squeeze");
        if (shape[a] != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " has size " + shape[a] + ", not 1 (shape "
                    + Shape.str(shape) + ")");
        }
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != a) ns[j++] = shape[i];
        return reshape(ns);
    }

    // ---------------------------------------------------------------- comparisons and printing

    /** Whether both tensors have the same shape and |a-b| ≤ atol + rtol·|b| everywhere. */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (!Shape.same(shape, other.shape)) return false;
        float[] a = toFloatArray();
        float[] b = other.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        float[] v = toFloatArray();
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape)).append(' ');
        int shown = Math.min(v.length, 20);
        sb.append('[');
        for (int i = 0; i < shown; i++) {
            if (i > 0) sb.append(", ");
            sb.append(v[i]);
        }
        if (shown < v.length) sb.append(", ... (").append(v.length - shown).append(" more)");
        sb.append(']');
        if (gradFn != null) sb.append(" gradFn=").append(gradFn.op());
        else if (requiresGrad) sb.append(" requiresGrad");
        return sb.toString();
    }
}
