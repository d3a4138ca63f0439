package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import java.util.stream.Stream;

/**
 * The vector kernels (packed and few-row paths) and the scalar path against a double-precision
 * reference, on odd sizes that leave edge tiles, every transpose, non-zero offsets, padded
 * leading dimensions, and alpha/beta other than 1/0.
 */
class GemmJavaEngineTest {

    /** Operands laid out with offsets and padded rows, and the expected C in double precision. */
    record Case(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        static Case random(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, long seed) {
            Random rng = new Random(seed);
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            int lda = aCols + 3, ldb = bCols + 1, ldc = n + 2, aOff = 5, bOff = 7, cOff = 3;
            float[] a = fill(rng, aOff + aRows * lda), b = fill(rng, bOff + bRows * ldb), c = fill(rng, cOff + m * ldc);
            return new Case(ta, tb, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        double[] expected() {
            double[] e = new double[c.length];
            for (int i = 0; i < c.length; i++) e[i] = c[i];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double x = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        double y = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        s += x * y;
                    }
                    int at = cOff + i * ldc + j;
                    e[at] = alpha * s + (beta == 0 ? 0 : beta * (double) c[at]);
                }
            }
            return e;
        }

        float[] cCopy() {
            return c.clone();
        }
    }

    static float[] fill(Random rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() * 2 - 1;
        return x;
    }

    /** Agreement within float rounding of a k-term sum; padding outside the m×n window must be untouched. */
    static void assertMatches(Case t, double[] expected, float[] got, String engine) {
        double tol = 1e-5 * Math.max(1, t.k()) + 1e-6;
        for (int i = 0; i < got.length; i++) {
            int rel = i - t.cOff();
            boolean inside = rel >= 0 && rel / t.ldc() < t.m() && rel % t.ldc() < t.n();
            if (!inside) {
                assertEquals(t.c()[i], got[i], 0f, engine + ": wrote outside C at " + i);
            } else {
                assertEquals(expected[i], got[i], tol, engine + " " + t.ta() + "/" + t.tb() + " " + t.m() + "×" + t.k()
                        + "·" + t.k() + "×" + t.n() + " at row " + rel / t.ldc() + " col " + rel % t.ldc());
            }
        }
    }

    static Stream<Arguments> shapes() {
        int[][] sizes = {{1, 1, 1}, {1, 37, 29}, {2, 65, 300}, {3, 17, 5}, {4, 32, 16}, {5, 33, 7}, {17, 45, 263},
                {67, 130, 513}, {129, 10, 128}, {8, 1, 9}};
        Stream.Builder<Arguments> s = Stream.builder();
        for (int[] z : sizes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) s.add(Arguments.of(ta, tb, z[0], z[1], z[2]));
            }
        }
        return s.build();
    }

    @ParameterizedTest(name = "ta={0} tb={1} m={2} n={3} k={4}")
    @MethodSource("shapes")
    void vectorAndScalarPathsMatchTheReference(boolean ta, boolean tb, int m, int n, int k) {
        for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}}) {
            Case t = Case.random(ta, tb, m, n, k, ab[0], ab[1], 31L * m + 7L * n + k);
            double[] e = t.expected();
            float[] c = t.cCopy();
            Gemm.sgemmJava(ta, tb, m, n, k, ab[0], t.a(), t.aOff(), t.lda(), t.b(), t.bOff(), t.ldb(), ab[1], c, t.cOff(), t.ldc());
            assertMatches(t, e, c, Simd.describe());
            float[] s = t.cCopy();
            Gemm.scale(ab[1], m, n, s, t.cOff(), t.ldc());
            Gemm.scalar(ta, tb, m, n, k, ab[0], t.a(), t.aOff(), t.lda(), t.b(), t.bOff(), t.ldb(), s, t.cOff(), t.ldc());
            assertMatches(t, e, s, "scalar");
        }
    }

    @Test
    void betaZeroClearsNaNInC() {
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {1, 0, 0, 1};
        float[] c = new float[8];
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, 4, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertEquals(java.util.List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f), java.util.Arrays.stream(box(c)).toList());
    }

    @Test
    void kZeroOnlyScalesC() {
        float[] c = {2, 4};
        Gemm.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertEquals(1f, c[0]);
        assertEquals(2f, c[1]);
    }

    @Test
    void tooShortArraysAreRejectedWithTheOperandAndSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, new float[5], 0, 3, new float[6], 0, 2, 0f, new float[4], 0, 2));
        assertTrue(e.getMessage().contains("A (2×3, ld 3, offset 0) needs 6 floats but its array has 5"), e.getMessage());
    }

    private static Float[] box(float[] x) {
        Float[] r = new Float[x.length];
        for (int i = 0; i < x.length; i++) r[i] = x[i];
        return r;
    }
}
