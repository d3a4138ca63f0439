package org.backprop.kernel;

/**
 * Products of one row with a weight matrix, y = x·Wᵀ + b for W [out, in] in PyTorch's layout:
 * the per-token products of cached generation, where GEMM's packing and a dot product per
 * output row (one horizontal reduction each, over only in = 128 values) cost more than the
 * multiply-adds.
 *
 * <p>{@link #pack} copies W once into column panels: panel p holds the columns
 * [p·P, p·P + P) of Wᵀ, row after row ([in][P], zero-padded to whole vectors), so a product
 * streams the copy front to back and keeps a panel's outputs in vector accumulators while it
 * adds x[i]·Wᵀ[i] for i = 0, 1, ... (no horizontal reduction, every load contiguous). P is four
 * vectors: four independent multiply-add chains per x[i].
 *
 * <p>Bits: each output is b + x[0]·w[0] + x[1]·w[1] + ... in that order, every step one fused
 * multiply-add ({@link Math#fma} on the scalar path), so the result does not depend on the
 * vector width. It is not GEMM's summation order, so it differs from {@link Gemm} in the last bits.
 */
public final class MatVec {
    private MatVec() {}

    /** Columns per panel: four vectors (four on the scalar path too, where they are floats). */
    static final int PANEL = 4 * Simd.LANES;

    /** A weight W [out, in] repacked for {@link #multiply}; a copy, so it does not follow later changes to W. */
    public static final class Packed {
        final int out, in;
        final float[] panels;

        Packed(int out, int in, float[] panels) {
            this.out = out;
            this.in = in;
            this.panels = panels;
        }

        /** Rows of W (outputs of a product). */
        public int out() {
            return out;
        }

        /** Columns of W (inputs of a product). */
        public int in() {
            return in;
        }
    }

    /** Columns of the panel starting at column j0: P, or for the last one its width rounded up to whole vectors. */
    static int panelWidth(int out, int j0) {
        int rest = out - j0;
        return rest >= PANEL ? PANEL : (rest + Simd.LANES - 1) / Simd.LANES * Simd.LANES;
    }

    /** W [out, in] at w[wOff], row-major, repacked into panels (see the class comment). */
    public static Packed pack(float[] w, int wOff, int out, int in) {
        if (out <= 0 || in <= 0 || wOff < 0 || wOff + (long) out * in > w.length) {
            throw new IllegalArgumentException("MatVec.pack: a [" + out + ", " + in + "] matrix at " + wOff
                    + " does not fit an array of " + w.length);
        }
        int padded = (out + Simd.LANES - 1) / Simd.LANES * Simd.LANES;
        float[] p = new float[padded * in];
        int base = 0;
        for (int j0 = 0; j0 < out; j0 += PANEL) {
            int pw = panelWidth(out, j0), cols = Math.min(pw, out - j0);
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < cols; j++) p[base + i * pw + j] = w[wOff + (j0 + j) * in + i];
            }
            base += pw * in;
        }
        return new Packed(out, in, p);
    }

    /**
     * y[yOff + j] = (accumulate ? y[yOff + j] : 0) + b[bOff + j] + Σ_i x[xOff + i]·W[j, i] for j
     * in [0, out); b null for none. With {@code accumulate} the product is added to y in place (a
     * residual connection), the old y entering the sum first. y must not overlap x.
     */
    public static void multiply(Packed w, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff, boolean accumulate) {
        multiplyRows(w, 1, x, xOff, w.in, b, bOff, y, yOff, w.out, accumulate);
    }

    /**
     * {@link #multiply} for {@code rows} rows at once, row r of x at xOff + r·ldx and of y at
     * yOff + r·ldy: each panel is read from memory once and reused from cache for every row,
     * where row-by-row products would stream the whole matrix per row. Every row gets the bits
     * {@link #multiply} gives it alone.
     */
    public static void multiplyRows(Packed w, int rows, float[] x, int xOff, int ldx, float[] b, int bOff,
                                    float[] y, int yOff, int ldy, boolean accumulate) {
        if (rows < 0 || ldx < w.in || ldy < w.out || xOff < 0 || yOff < 0
                || (rows > 0 && (xOff + (long) (rows - 1) * ldx + w.in > x.length || yOff + (long) (rows - 1) * ldy + w.out > y.length))
                || (b != null && (bOff < 0 || bOff + w.out > b.length))) {
            throw new IllegalArgumentException("MatVec.multiply: x, b or y too short for " + rows + " rows and a ["
                    + w.out + ", " + w.in + "] matrix");
        }
        if (Simd.VECTOR) {
            MatVecVector.multiplyRows(w, rows, x, xOff, ldx, b, bOff, y, yOff, ldy, accumulate);
            return;
        }
        int base = 0;
        for (int j0 = 0; j0 < w.out; j0 += PANEL) {
            int pw = panelWidth(w.out, j0), cols = Math.min(pw, w.out - j0);
            for (int r = 0; r < rows; r++) {
                int xo = xOff + r * ldx, yo = yOff + r * ldy;
                for (int j = 0; j < cols; j++) {
                    float s = (accumulate ? y[yo + j0 + j] : 0f) + (b == null ? 0f : b[bOff + j0 + j]);
                    for (int i = 0; i < w.in; i++) s = Math.fma(x[xo + i], w.panels[base + i * pw + j], s);
                    y[yo + j0 + j] = s;
                }
            }
            base += pw * w.in;
        }
    }

    /**
     * y[yOff + j] = Σ_i x[xOff + i]·a[aOff + i·lda + j] for j in [0, n), i in [0, k): a combination
     * of k rows of a matrix, in the same fused, in-order sums as {@link #multiply}. Attention over
     * a key/value cache is two of these per head: the scores (the query's k = d values times the
     * keys stored transposed, one row per feature) and the output (the n probabilities times the
     * value rows). y must not overlap x or a.
     */
    public static void combineRows(float[] x, int xOff, int k, float[] a, int aOff, int lda, int n, float[] y, int yOff) {
        if (k < 0 || n < 0 || xOff < 0 || xOff + k > x.length || yOff < 0 || yOff + n > y.length || aOff < 0
                || (k > 0 && aOff + (long) (k - 1) * lda + n > a.length)) {
            throw new IllegalArgumentException("MatVec.combineRows: x, a or y too short for " + k + " rows of " + n);
        }
        if (Simd.VECTOR) {
            MatVecVector.combineRows(x, xOff, k, a, aOff, lda, n, y, yOff);
            return;
        }
        for (int j = 0; j < n; j++) {
            float s = 0f;
            for (int i = 0; i < k; i++) s = Math.fma(x[xOff + i], a[aOff + i * lda + j], s);
            y[yOff + j] = s;
        }
    }
}
