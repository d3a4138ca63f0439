package org.backprop.kernel;

/**
 * 2×2 max pooling with stride 2 on one image plane, branch-free in vector lanes. Which cell of a
 * window holds the maximum is unpredictable on real activations, so a scalar loop that branches
 * on it mispredicts about once per window (measured: ~15 ns a window); here each output row
 * is handled V windows at a time: the top and bottom input rows are split into even and odd
 * columns (two-vector rearranges), the four cells are compared in the window's row-major order
 * with masked selects, and the winning cell (0..3) is kept as a byte.
 *
 * <p>The loops are in {@link MaxPool2x2Vector}, loaded only when there is a vector form.
 *
 * <p>The rule is the scalar one exactly: the first cell in row-major order that beats all before
 * it (strictly), a NaN beating any number, so the first NaN wins if there is one.
 */
public final class MaxPool2x2 {
    private MaxPool2x2() {}

    /** Whether the vector form runs on this machine (else callers use their scalar loop): vectors of 8 floats or more. */
    public static boolean available() {
        return Simd.VECTOR && Simd.LANES >= 8;
    }

    /**
     * Pools plane x[xo ..] ([h, w], row-major) into out[oo ..] ([h/2, w/2]) and records each
     * window's winning cell in cell[oo ..] (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right).
     *
     * <p>No masked loads or stores: on the 14- and 7-wide rows of small CNNs every step of a row
     * would be a partial vector, and a masked access there ran HotSpot's range check in plain Java
     * (C2 gave up inlining it this deep: profiled at ~13% of a LeNet step). Rows are read with
     * whole vectors instead (the lanes past the row are ignored) and partial results go through
     * a small buffer; only reads that would run off the end of the array are copied first.
     */
    public static void forward(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo) {
        MaxPool2x2Vector.forward(x, xo, h, w, out, cell, oo);
    }

    /**
     * The backward pass: writes g[go ..] ([h/2, w/2]) onto the winning cells of plane dx[dxo ..]
     * ([h, w]) and 0 onto the other cells of each window; cells outside every window are left
     * alone. Unmasked, as {@link #forward}.
     */
    public static void backward(float[] g, int go, byte[] cell, int co, int h, int w, float[] dx, int dxo) {
        MaxPool2x2Vector.backward(g, go, cell, co, h, w, dx, dxo);
    }

    /**
     * {@link #forward} followed by ReLU on the pooled values (the bits of {@code PlaneOps.relu}),
     * each window ReLU zeroes (its maximum not &gt; 0, NaN included) marked in its cell by the sign
     * bit: the code minus 128. For {@link #backwardRelu} and {@link #backwardAffine}.
     */
    public static void forwardRelu(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo) {
        MaxPool2x2Vector.forward(x, xo, h, w, out, cell, oo, true);
    }

    /**
     * {@link #forwardRelu} of the plane (x − center)·a + b (batch normalisation's output), each value
     * computed as {@code PlaneOps.affine}'s vector loop does, without writing that plane. Only for
     * planes of a whole number of vectors (h·w a multiple of {@link Simd#LANES}), where affine
     * has no scalar tail.
     */
    public static void forwardAffineRelu(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo,
                                         float center, float a, float b) {
        if ((h * w) % Simd.LANES != 0) throw new IllegalArgumentException("plane " + h + "x" + w + " is no whole number of vectors");
        MaxPool2x2Vector.forward(x, xo, h, w, out, cell, oo, true, true, center, a, b);
    }

    /**
     * {@link #backward} for {@link #forwardRelu}'s cells: a marked window's gradient is multiplied
     * by 0, as {@code PlaneOps.reluMask} does from the output (the same bits, NaN gradients included).
     */
    public static void backwardRelu(float[] g, int go, byte[] cell, int co, int h, int w, float[] dx, int dxo) {
        MaxPool2x2Vector.backward(g, go, cell, co, h, w, dx, dxo, true);
    }

    /** Whether {@link #backwardAffine} takes a plane [h, w]: even sides and at least a vector of windows a row. */
    public static boolean affineFits(int h, int w) {
        return available() && h % 2 == 0 && w % 2 == 0 && w / 2 >= Simd.LANES;
    }

    /**
     * Batch normalisation's input gradient of one plane through {@link #forwardRelu}'s pool:
     * dx[dxo + i] = gy[i]·a + ((x[xo + i] − center)·b + c), gy being what {@link #backwardRelu} would
     * spread from g, with the fused multiply-adds of {@code PlaneOps.affine2}'s vector loop but
     * without writing gy. Only where {@link #affineFits}; the plane's last (h·w mod lanes) cells,
     * which affine2 computes in its scalar tail, are left for the caller to redo.
     */
    public static void backwardAffine(float[] g, int go, byte[] cell, int co, int h, int w, float[] x, int xo, float[] dx, int dxo,
                                      float center, float a, float b, float c) {
        MaxPool2x2Vector.backwardAffine(g, go, cell, co, h, w, x, xo, dx, dxo, center, a, b, c);
    }
}
