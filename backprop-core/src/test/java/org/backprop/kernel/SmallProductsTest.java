package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SmallProductsTest {

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextFloat() * 2 - 1;
        return v;
    }

    /** The product by definition in double, from operands with offsets and padded rows. */
    private static double expected(boolean transA, boolean transB, float[] a, int aOff, int lda, float[] b, int bOff,
                                   int ldb, int i, int j, int k) {
        double s = 0;
        for (int p = 0; p < k; p++) {
            double x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            double y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            s += x * y;
        }
        return s;
    }

    /** nnBanded gives nn's bits where A is zero outside the band (a causal mask), for both orientations. */
    @Test
    void bandedEqualsTheFullProductOverAMaskedOperand() {
        Random rng = new Random(7);
        int n = 4 * Math.max(1, Simd.LANES); // two vector pairs
        for (int[] sh : new int[][] {{64, 0}, {37, 0}, {32, 32}, {6, 3}}) {
            int m = sh[0], diag = sh[1], k = diag + m, lda = k + 1;
            for (boolean transA : new boolean[] {false, true}) {
                // row r is query (transA: key) diag + r; A(r, p) is nonzero only inside r's band
                float[] a = new float[(transA ? k : m) * lda + 2];
                for (int r = 0; r < m; r++) {
                    for (int p = 0; p < k; p++) {
                        boolean seen = transA ? p >= diag + r : p <= diag + r;
                        if (seen) a[transA ? 2 + p * lda + r : 2 + r * lda + p] = rng.nextFloat() * 2 - 1;
                    }
                }
                float[] b = random(rng, 1 + k * (n + 3)), whole = new float[m * n], banded = new float[m * n];
                SmallProducts.nn(transA, m, n, k, a, 2, lda, b, 1, n + 3, whole, 0, n, false);
                SmallProducts.nnBanded(transA, diag, m, n, k, a, 2, lda, b, 1, n + 3, banded, 0, n);
                for (int i = 0; i < whole.length; i++) {
                    assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(banded[i]),
                            "m=" + m + ", diag=" + diag + ", transA=" + transA + ", element " + i);
                }
            }
        }
    }

    @Test
    void nnMatchesTheDefinitionWithTailsTransposesAndAccumulation() {
        Random rng = new Random(1);
        int[][] shapes = {{6, 1568, 25}, {32, 784, 9}, {150, 200, 16}, {3, 37, 5}, {7, 33, 1}, {1, 70, 40}, {33, 512, 128}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean acc : new boolean[] {false, true}) {
                    int lda = (transA ? m : k) + 2, ldb = n + 3, ldc = n + 1;
                    float[] a = random(rng, 1 + (transA ? k : m) * lda), b = random(rng, 2 + k * ldb);
                    float[] c = random(rng, 3 + m * ldc), c0 = c.clone();
                    SmallProducts.nn(transA, m, n, k, a, 1, lda, b, 2, ldb, c, 3, ldc, acc);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double want = expected(transA, false, a, 1, lda, b, 2, ldb, i, j, k)
                                    + (acc ? c0[3 + i * ldc + j] : 0);
                            assertEquals(want, c[3 + i * ldc + j], 1e-4, "m=" + m + " n=" + n + " k=" + k + " at " + i + "," + j);
                        }
                    }
                    assertEquals(c0[2], c[2]); // nothing written before C
                }
            }
        }
    }

    @Test
    void ntAddsDotProductsOfRows() {
        Random rng = new Random(2);
        int[][] shapes = {{6, 25, 1568}, {16, 150, 200}, {32, 9, 1568}, {5, 3, 17}, {1, 1, 3}, {3, 9, 40}, {2, 8, 7}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            int lda = k + 1, ldb = k + 2, ldc = n + 3;
            float[] a = random(rng, 1 + m * lda), b = random(rng, 2 + n * ldb), c = random(rng, m * ldc), c0 = c.clone();
            SmallProducts.nt(m, n, k, a, 1, lda, b, 2, ldb, c, 0, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = expected(false, true, a, 1, lda, b, 2, ldb, i, j, k) + c0[i * ldc + j];
                    assertEquals(want, c[i * ldc + j], 1e-3, "m=" + m + " n=" + n + " k=" + k + " at " + i + "," + j);
                }
            }
        }
    }
}
