package org.backprop.kernel;

/**
 * Layer normalisation of rows, forward and backward, in float32, one pass per row over its
 * values for each of: the mean, the variance about it, and the output (forward); the two row
 * sums of the input gradient and dx (backward). The parameter gradients are column sums over
 * rows, taken in row order by {@link #paramGrads}, so they do not depend on how the rows were
 * split over threads. Vector loops in {@link RowNormVector}; the loops here are the statement
 * of the arithmetic, the tail and the scalar path.
 */
public final class RowNorm {
    private RowNorm() {}

    /**
     * Rows [r0, r1) of x [rows, d] (row r at xo + r·d): y = (x − μ)/√(σ² + ε)·γ + β, with γ, β
     * null for none; writes μ and 1/√(σ² + ε) of each row into mean and invStd.
     */
    public static void forward(int r0, int r1, int d, float eps, float[] x, int xo, float[] gamma, float[] beta,
                               float[] y, float[] mean, float[] invStd) {
        float[] sums = new float[2];
        for (int r = r0; r < r1; r++) {
            int base = xo + r * d, yo = r * d;
            int j = Simd.VECTOR ? RowNormVector.sum(x, base, d, sums) : 0;
            float s = Simd.VECTOR ? sums[0] : 0f;
            for (; j < d; j++) s += x[base + j];
            float mu = s / d;
            j = Simd.VECTOR ? RowNormVector.squares(x, base, d, mu, sums) : 0;
            float sq = Simd.VECTOR ? sums[0] : 0f;
            for (; j < d; j++) sq += (x[base + j] - mu) * (x[base + j] - mu);
            float is = (float) (1 / Math.sqrt(sq / d + eps));
            mean[r] = mu;
            invStd[r] = is;
            j = Simd.VECTOR ? RowNormVector.output(x, base, d, mu, is, gamma, beta, y, yo) : 0;
            for (; j < d; j++) {
                float xhat = (x[base + j] - mu) * is;
                y[yo + j] = gamma == null ? (beta == null ? xhat : xhat + beta[j]) : xhat * gamma[j] + (beta == null ? 0f : beta[j]);
            }
        }
    }

    /**
     * dx of rows [r0, r1) from g [rows, d] (row r at go + r·d): with dx̂ = g·γ,
     * dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), as μ and σ depend on every x of the row.
     */
    public static void backward(int r0, int r1, int d, float[] x, int xo, float[] gamma, float[] g, int go,
                                float[] mean, float[] invStd, float[] dx) {
        float[] sums = new float[2];
        for (int r = r0; r < r1; r++) {
            int base = xo + r * d, gb = go + r * d, dxo = r * d;
            float mu = mean[r], is = invStd[r];
            int j = Simd.VECTOR ? RowNormVector.gradSums(x, base, d, mu, is, gamma, g, gb, sums) : 0;
            float sumD = Simd.VECTOR ? sums[0] : 0f, sumDX = Simd.VECTOR ? sums[1] : 0f;
            for (; j < d; j++) {
                float xhat = (x[base + j] - mu) * is, dxhat = gamma == null ? g[gb + j] : g[gb + j] * gamma[j];
                sumD += dxhat;
                sumDX += dxhat * xhat;
            }
            float a = sumD / d, b = sumDX / d;
            j = Simd.VECTOR ? RowNormVector.dx(x, base, d, mu, is, gamma, g, gb, a, b, dx, dxo) : 0;
            for (; j < d; j++) {
                float xhat = (x[base + j] - mu) * is, dxhat = gamma == null ? g[gb + j] : g[gb + j] * gamma[j];
                dx[dxo + j] = is * (dxhat - a - xhat * b);
            }
        }
    }

    /** dγ += Σ_r g·x̂ and dβ += Σ_r g over all rows, in row order (either may be null). */
    public static void paramGrads(int rows, int d, float[] x, int xo, float[] g, int go, float[] mean, float[] invStd,
                                  float[] dGamma, float[] dBeta) {
        for (int r = 0; r < rows; r++) {
            int base = xo + r * d, gb = go + r * d;
            float mu = mean[r], is = invStd[r];
            int j = Simd.VECTOR ? RowNormVector.paramGrads(x, base, d, mu, is, g, gb, dGamma, dBeta) : 0;
            for (; j < d; j++) {
                if (dGamma != null) dGamma[j] += g[gb + j] * ((x[base + j] - mu) * is);
                if (dBeta != null) dBeta[j] += g[gb + j];
            }
        }
    }
}
