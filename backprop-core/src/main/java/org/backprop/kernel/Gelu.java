package org.backprop.kernel;

/**
 * Exact GELU, x·Φ(x) with Φ the Gaussian CDF, and its derivative Φ(x) + x·φ(x), in float32
 * vectors. Φ comes from erf by Abramowitz and Stegun's 7.1.26 (|error| ≤ 1.5·10⁻⁷, below
 * float32's resolution of Φ near 1), which shares its one exponential, e^(−x²/2), with φ: one
 * vector exp per element ({@link GeluVector}), where a scalar erf in double cost more than the MLP's products around it.
 */
public final class Gelu {
    private Gelu() {}

    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /**
     * y[yo + i] = gelu(x[xo + i]) for i in [0, n); y must not overlap x. Two passes, as
     * {@link #halfSquareExps} then {@link #fromExps}: a caller looping over many elements should
     * call those two from separate methods (lambdas), see {@link #halfSquareExps}.
     */
    public static void forward(float[] x, int xo, float[] y, int yo, int n) {
        halfSquareExps(x, xo, y, yo, n);
        fromExps(x, xo, y, yo, n);
    }

    /**
     * y[yo + i] = gelu(x) and slope[so + i] = gelu'(x) = Φ(x) + x·φ(x), x = x[xo + i], from one
     * exponential per element: a training step's backward then only multiplies by the slope, where
     * recomputing it cost a second exp and division per element (the same bits as {@link #backward}).
     * Two passes, as {@link #halfSquareExps} then {@link #withSlopeFromExps}.
     */
    public static void forwardWithSlope(float[] x, int xo, float[] y, int yo, float[] slope, int so, int n) {
        halfSquareExps(x, xo, slope, so, n);
        withSlopeFromExps(x, xo, y, yo, slope, so, n);
    }

    /**
     * The forward's first pass: e[eo + i] = e^(−x²/2) for the elements the vector lanes take (none
     * without vectors; the second pass computes the rest). The two passes are separate so that each
     * is compiled on its own: in one loop C2 ran out of its per-method node budget and boxed the
     * vectors (see GeluVector). Call the second with the same x range and n.
     */
    public static void halfSquareExps(float[] x, int xo, float[] e, int eo, int n) {
        if (Simd.VECTOR) GeluVector.halfSquareExps(x, xo, e, eo, n);
    }

    /** The second pass of {@link #forward}: y, holding the first pass's output, becomes gelu(x). */
    public static void fromExps(float[] x, int xo, float[] y, int yo, int n) {
        if (Simd.VECTOR) {
            GeluVector.fromExps(x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v * cdf(v);
        }
    }

    /** The second pass of {@link #forwardWithSlope}: slope, holding the first pass's output, becomes gelu'(x); y gets gelu(x). */
    public static void withSlopeFromExps(float[] x, int xo, float[] y, int yo, float[] slope, int so, int n) {
        if (Simd.VECTOR) {
            GeluVector.withSlopeFromExps(x, xo, y, yo, slope, so, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[xo + i], c = cdf(v);
            y[yo + i] = v * c;
            slope[so + i] = slope(v, c);
        }
    }

    /** gelu'(v) = Φ(v) + v·φ(v), given c = Φ(v). */
    static float slope(float v, float c) {
        return c + v * Exp.exp(-0.5f * v * v) * INV_SQRT_2PI;
    }

    /** dx[i] = g[go + i]·(Φ(x) + x·φ(x)) with x = x[xo + i]. */
    public static void backward(float[] x, int xo, float[] g, int go, float[] dx, int n) {
        backward(x, xo, g, go, dx, 0, n);
    }

    /** dx[dxo + i] = g[go + i]·(Φ(x) + x·φ(x)) with x = x[xo + i]. */
    public static void backward(float[] x, int xo, float[] g, int go, float[] dx, int dxo, int n) {
        if (Simd.VECTOR) {
            GeluVector.backward(x, xo, g, go, dx, dxo, n);
            return;
        }
        int i = 0;
        for (; i < n; i++) {
            float v = x[xo + i];
            float e = Exp.exp(-0.5f * v * v);
            dx[dxo + i] = g[go + i] * (cdf(v) + v * e * INV_SQRT_2PI);
        }
    }

    /** Φ(x) in scalar form, the same formula as the vector lanes. */
    static float cdf(float x) {
        float z = Math.abs(x) * INV_SQRT2;
        float t = 1f / (1f + P * z);
        float tailHalf = 0.5f * t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * Exp.exp(-z * z);
        return x >= 0 ? 1f - tailHalf : tailHalf;
    }
}
