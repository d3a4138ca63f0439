package org.backprop.kernel;

/**
 * Vectorised loops over one contiguous run of floats (a channel's plane of one image), for the
 * per-channel statistics and affine maps of batch normalisation. Sums are taken in float lanes
 * over one run and returned as double, so a caller adding many runs keeps double precision
 * across them; a run is at most an image plane, where float lanes lose nothing that matters.
 * The vector forms are in {@link PlaneOpsVector}; the plain forms here run for
 * {@code backprop.vectorBits=0} and JVMs without the Vector API.
 */
public final class PlaneOps {
    private PlaneOps() {}

    /** Σ x[off .. off+len). */
    public static double sum(float[] x, int off, int len) {
        if (Simd.VECTOR) return PlaneOpsVector.sum(x, off, len);
        int i = 0;
        double s = 0;
        for (; i < len; i++) s += x[off + i];
        return s;
    }

    /** Σ (x − mean)² over x[off .. off+len): the second pass of a variance, free of cancellation. */
    public static double sumSquaredDeviations(float[] x, int off, int len, float mean) {
        if (Simd.VECTOR) return PlaneOpsVector.sumSquaredDeviations(x, off, len, mean);
        int i = 0;
        double s = 0;
        for (; i < len; i++) {
            float d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Σ g and Σ g·(x − mean) over one run of g and x, added into {@code sums[0]} and {@code sums[1]}:
     * both sums batch normalisation's backward needs, in one pass.
     */
    public static void gradientSums(float[] g, int go, float[] x, int xo, int len, float mean, double[] sums) {
        if (Simd.VECTOR) {
            PlaneOpsVector.gradientSums(g, go, x, xo, len, mean, sums);
            return;
        }
        int i = 0;
        double sg = 0, sgx = 0;
        for (; i < len; i++) {
            sg += g[go + i];
            sgx += g[go + i] * (x[xo + i] - mean);
        }
        sums[0] += sg;
        sums[1] += sgx;
    }

    /**
     * y[yo + i] = (x[xo + i] − center)·a + b for i in [0, len). Centring first keeps float
     * precision when the values sit far from 0 relative to their spread.
     */
    public static void affine(float[] x, int xo, float[] y, int yo, int len, float center, float a, float b) {
        if (Simd.VECTOR) {
            PlaneOpsVector.affine(x, xo, y, yo, len, center, a, b);
            return;
        }
        int i = 0;
        for (; i < len; i++) y[yo + i] = (x[xo + i] - center) * a + b;
    }

    /**
     * out[oo + i] = g[go + i]·a + (x[xo + i] − center)·b + c for i in [0, len): batch
     * normalisation's input gradient.
     */
    public static void affine2(float[] g, int go, float[] x, int xo, float[] out, int oo, int len,
                               float center, float a, float b, float c) {
        if (Simd.VECTOR) {
            PlaneOpsVector.affine2(g, go, x, xo, out, oo, len, center, a, b, c);
            return;
        }
        int i = 0;
        for (; i < len; i++) out[oo + i] = g[go + i] * a + ((x[xo + i] - center) * b + c);
    }

    /** x[off + i] = x[off + i] &gt; 0 ? x[off + i] : 0 in place for i in [0, len): ReLU with the bits of {@code Tensor.relu}. */
    public static void relu(float[] x, int off, int len) {
        if (Simd.VECTOR) {
            PlaneOpsVector.relu(x, off, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            float v = x[off + i];
            x[off + i] = v > 0 ? v : 0f;
        }
    }

    /**
     * out[oo + i] = g[go + i]·(y[yo + i] &gt; 0 ? 1 : 0) for i in [0, len): ReLU's backward from its
     * output y, multiplying as {@code Tensor.relu}'s backward does (same bits, NaN gradients included).
     */
    public static void reluMask(float[] g, int go, float[] y, int yo, float[] out, int oo, int len) {
        if (Simd.VECTOR) {
            PlaneOpsVector.reluMask(g, go, y, yo, out, oo, len);
            return;
        }
        for (int i = 0; i < len; i++) out[oo + i] = g[go + i] * (y[yo + i] > 0 ? 1f : 0f);
    }
}
