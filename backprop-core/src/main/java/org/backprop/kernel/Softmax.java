package org.backprop.kernel;

/** Softmax of one row in place, on float32 vectors ({@link SoftmaxVector}; attention's rows: one exp per score). */
public final class Softmax {
    private Softmax() {}

    /**
     * s[off, off + n) ← exp(s − max) / Σ exp(s − max), n ≥ 1. The maximum is subtracted first,
     * so no exponential overflows; a row whose maximum is −∞ or NaN becomes all zeros.
     */
    public static void row(float[] s, int off, int n) {
        row(s, off, n, n);
    }

    /**
     * {@link #row(float[], int, int)} with s[off + n, off + room) scratch the vector loops may
     * write (room ≥ n), so a row's last partial vector runs whole rather than as a scalar tail;
     * those entries are left undefined (the caller overwrites them). The row's values are the same.
     */
    public static void row(float[] s, int off, int n, int room) {
        if (room < n) throw new IllegalArgumentException("softmax: room " + room + " is shorter than the row, " + n);
        if (Simd.VECTOR) {
            SoftmaxVector.row(s, off, n, room);
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

    /**
     * The backward of {@link #row} scaled, in place: ds[dso + j] ← p[po + j]·(ds[dso + j] − Σₖ ds·p)·scale
     * for j in [0, n), with p the row's softmax and ds the gradient of it on entry (attention's
     * dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √d). Entries [n, room) of both rows may be read and of ds
     * written, p being 0 and ds finite there (room ≥ n), so the vector loops need no scalar tail.
     * The sum runs in vector lanes in a fixed order.
     */
    public static void backwardRow(float[] p, int po, float[] ds, int dso, int n, int room, float scale) {
        if (room < n) throw new IllegalArgumentException("softmax backward: room " + room + " is shorter than the row, " + n);
        if (Simd.VECTOR) {
            SoftmaxVector.backwardRow(p, po, ds, dso, n, room, scale);
            return;
        }
        float dot = 0;
        for (int j = 0; j < n; j++) dot += ds[dso + j] * p[po + j];
        for (int j = 0; j < n; j++) ds[dso + j] = (ds[dso + j] - dot) * p[po + j] * scale;
    }
}
