package org.backprop.kernel;

/** Softmax of one row in place, on float32 vectors ({@link SoftmaxVector}; attention's rows: one exp per score). */
public final class Softmax {
    private Softmax() {}

    /**
     * s[off, off + n) ← exp(s − max) / Σ exp(s − max), n ≥ 1. The maximum is subtracted first,
     * so no exponential overflows; a row whose maximum is −∞ or NaN becomes all zeros.
     */
    public static void row(float[] s, int off, int n) {
        if (Simd.VECTOR) {
            SoftmaxVector.row(s, off, n);
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, s[off + j]);
        if (!(max > Float.NEGATIVE_INFINITY)) {
            java.util.Arrays.fill(s, off, off + n, 0f);
            return;
        }
        float sum = 0;
        for (int j = 0; j < n; j++) sum += s[off + j] = Exp.exp(s[off + j] - max);
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) s[off + j] *= inv;
    }
}
