package org.backprop.kernel;

/**
 * A strided block copied transposed, by whole V×V tiles transposed in registers
 * ({@link TransposeVector}) and scalar edges: attention's per-head K (forward) and V (backward),
 * 64 rows of 32 columns read from the packed [T, 3E] projections, where an element-by-element
 * copy with strided writes cost as much as the head's product that reads it; and
 * {@link DirectConvGrad}'s output-gradient panels of V channels.
 */
public final class Transpose {
    private Transpose() {}

    /**
     * out[oo + c·ldo + r] = a[ao + r·lda + c]·scale for r in [0, rows), c in [0, cols); the
     * scale is one multiply of the copied value, so the bits are those of scaling before the copy.
     */
    public static void scaled(float[] a, int ao, int lda, int rows, int cols, float scale, float[] out, int oo, int ldo) {
        int v = Simd.LANES, rv = 0, cv = 0;
        if (Simd.VECTOR && TransposeVector.WORKS) {
            rv = rows - rows % v;
            cv = cols - cols % v;
            for (int r = 0; r < rv; r += v) {
                for (int c = 0; c < cv; c += v) TransposeVector.whole(a, ao + r * lda + c, lda, out, oo + c * ldo + r, ldo);
            }
            if (scale != 1f) {
                for (int c = 0; c < cv; c++) {
                    int o = oo + c * ldo;
                    for (int r = 0; r < rv; r++) out[o + r] *= scale;
                }
            }
        }
        // the edges: columns past the tiles for every row, rows past the tiles for the tiled columns
        for (int r = 0; r < rows; r++) {
            int src = ao + r * lda;
            for (int c = cv; c < cols; c++) out[oo + c * ldo + r] = a[src + c] * scale;
        }
        for (int r = rv; r < rows; r++) {
            int src = ao + r * lda;
            for (int c = 0; c < cv; c++) out[oo + c * ldo + r] = a[src + c] * scale;
        }
    }
}
