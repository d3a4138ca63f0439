package org.backprop.kernel;

/**
 * Adam's and AdamW's elementwise update over whole vectors, for {@code optim.Adam}: C2 vectorised
 * the plain loop until the subnormal flush's select stopped it (a scalar loop took ~6 ns an
 * element). The vector loop does the scalar loop's float operations in the same order (multiply
 * and add, never fused), so both give the same bits.
 */
public final class AdamLoop {
    private AdamLoop() {}

    /**
     * One step's constants: the step size lr·√(1−β₂ᵗ)/(1−β₁ᵗ), the betas and 1 − betas, the
     * denominator's ε·√(1−β₂ᵗ), the L2 factor and the decoupled shrink 1 − lr·λ, and which of L2,
     * decoupled decay and AMSGrad apply. The bias correction of v is folded into the step size and
     * ε, so an element costs one square root and one division. {@code gradScale} multiplies each
     * gradient element as it is read (a clipping coefficient; 1 reads it as it is): the product
     * g·gradScale is the float32 product an in-place scaling pass would store, so the update has the
     * bits of scaling first, without that pass.
     */
    public record Constants(float stepSize, float b1, float b2, float c1, float c2, float eps, float decay,
                            float shrink, boolean hasL2, boolean hasDecoupled, boolean amsgrad, float gradScale) {
        /** Constants that read the gradient as it is (gradScale 1). */
        public Constants(float stepSize, float b1, float b2, float c1, float c2, float eps, float decay, float shrink,
                boolean hasL2, boolean hasDecoupled, boolean amsgrad) {
            this(stepSize, b1, b2, c1, c2, eps, decay, shrink, hasL2, hasDecoupled, amsgrad, 1f);
        }

        /** Whether the gradient is multiplied by {@link #gradScale} as it is read. */
        public boolean scaled() {
            return gradScale != 1f;
        }
    }

    /**
     * Updates the whole vectors of elements [from, to) of w, m, v (and vMax with AMSGrad), element
     * i from gradient g[i − gShift]; returns where they stop, for the caller's scalar loop to
     * finish ({@code from} without the Vector API), as {@code -1 - end} when a weight it wrote is
     * NaN or infinite (the check costs no pass of its own).
     */
    public static int vectors(Constants k, float[] w, float[] g, int gShift, float[] m, float[] v, float[] vMax, int from, int to) {
        return Simd.VECTOR ? AdamVector.apply(k, w, g, gShift, m, v, vMax, from, to) : from;
    }

    /**
     * The update of rows [fromRow, toRow) of w ([a.length, b.length]) from the rank-1 gradient
     * a·bᵀ (a batch-1 weight gradient), each element formed as {@link Gemm#outerRow} forms it,
     * 0 + aᵢ·bⱼ (the same bits), in the register where the rule reads it: no row is stored and
     * read back. Updates each row's whole vectors and returns where they stop within a row (0
     * without the Vector API), for the caller to finish each row's tail; {@code -1 - end} when a
     * weight it wrote is NaN or infinite.
     */
    public static int outerVectors(Constants k, float[] w, float[] a, float[] b, float[] m, float[] v, float[] vMax,
            int fromRow, int toRow) {
        return Simd.VECTOR && b.length >= Simd.LANES ? AdamVector.applyOuter(k, w, a, b, m, v, vMax, fromRow, toRow) : 0;
    }
}
