package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link SmallProducts}' vector loops; loaded only when {@link Simd#VECTOR}. */
final class SmallProductsVector {
    private SmallProductsVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    static void nn(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int j = 0;
        // AVX-512 (32 registers): four rows by four vectors, 16 accumulators, 8 loads per 16 multiply-adds
        // (a recurrent step's 32 × 512 hidden product); with 16 registers it would spill
        if (V >= 16) {
            for (; j + 4 * V <= n && m >= 4; j += 4 * V) {
                int i = 0;
                for (; i + 4 <= m; i += 4) block4x4(transA, i, j, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
                for (; i < m; i++) {
                    block1(transA, i, j, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
                    block1(transA, i, j + 2 * V, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
                }
            }
        }
        for (; j + 2 * V <= n; j += 2 * V) {
            int i = 0;
            for (; i + 4 <= m; i += 4) block4(transA, i, j, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            for (; i + 2 <= m; i += 2) block2(transA, i, j, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            for (; i < m; i++) block1(transA, i, j, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
        if (j < n) { // the last columns: through a zero-padded copy two vectors wide, not a scalar loop
            int w = n - j, wide = 2 * V;
            float[] bt = new float[k * wide], ct = new float[m * wide];
            for (int p = 0; p < k; p++) System.arraycopy(b, bOff + p * ldb + j, bt, p * wide, w);
            if (accumulate) {
                for (int i = 0; i < m; i++) System.arraycopy(c, cOff + i * ldc + j, ct, i * wide, w);
            }
            int i = 0;
            for (; i + 4 <= m; i += 4) block4(transA, i, 0, k, a, aOff, lda, bt, 0, wide, ct, 0, wide, accumulate);
            for (; i + 2 <= m; i += 2) block2(transA, i, 0, k, a, aOff, lda, bt, 0, wide, ct, 0, wide, accumulate);
            for (; i < m; i++) block1(transA, i, 0, k, a, aOff, lda, bt, 0, wide, ct, 0, wide, accumulate);
            for (i = 0; i < m; i++) System.arraycopy(ct, i * wide, c, cOff + i * ldc + j, w);
        }
    }

    /** {@link SmallProducts#nnBanded}: one call for the whole band, not a call a group (n a multiple of 2V). */
    static void nnBanded(boolean transA, int diag, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i += 4) {
            int r = Math.min(4, m - i), p0 = transA ? Math.min(k, diag + i) : 0, p1 = transA ? k : Math.min(k, diag + i + r);
            // A(i, p0 + p) and B(p0 + p, ·): the operands shifted to the band's first term
            int ao = aOff + (transA ? p0 * lda : p0), bo = bOff + p0 * ldb;
            for (int j = 0; j < n; j += 2 * V) {
                if (r == 4) {
                    block4(transA, i, j, p1 - p0, a, ao, lda, b, bo, ldb, c, cOff, ldc, false);
                } else {
                    for (int ii = i; ii < i + r; ii++) block1(transA, ii, j, p1 - p0, a, ao, lda, b, bo, ldb, c, cOff, ldc, false);
                }
            }
        }
    }

    private static float at(boolean trans, float[] a, int off, int ld, int i, int p) {
        return trans ? a[off + p * ld + i] : a[off + i * ld + p];
    }

    private static void block4(boolean transA, int i, int j, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        // A(i + r, p) sits at a0 + r·ri + p·pi
        int ri = transA ? 1 : lda, pi = transA ? lda : 1, a0 = aOff + (transA ? i : i * lda);
        for (int p = 0; p < k; p++) {
            int bp = bOff + p * ldb + j, ap = a0 + p * pi;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + V);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + ri]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * ri]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * ri]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        int r = cOff + i * ldc + j;
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, r));
            c01 = c01.add(FloatVector.fromArray(S, c, r + V));
            c10 = c10.add(FloatVector.fromArray(S, c, r + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, r + ldc + V));
            c20 = c20.add(FloatVector.fromArray(S, c, r + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, r + 2 * ldc + V));
            c30 = c30.add(FloatVector.fromArray(S, c, r + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, r + 3 * ldc + V));
        }
        c00.intoArray(c, r);
        c01.intoArray(c, r + V);
        c10.intoArray(c, r + ldc);
        c11.intoArray(c, r + ldc + V);
        c20.intoArray(c, r + 2 * ldc);
        c21.intoArray(c, r + 2 * ldc + V);
        c30.intoArray(c, r + 3 * ldc);
        c31.intoArray(c, r + 3 * ldc + V);
    }

    private static void block4x4(boolean transA, int i, int j, int k, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        int ri = transA ? 1 : lda, pi = transA ? lda : 1, a0 = aOff + (transA ? i : i * lda);
        for (int p = 0; p < k; p++) {
            int bp = bOff + p * ldb + j, ap = a0 + p * pi;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + V);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * V), b3 = FloatVector.fromArray(S, b, bp + 3 * V);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ap + ri]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * ri]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * ri]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        int r = cOff + i * ldc + j;
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, r));
            c01 = c01.add(FloatVector.fromArray(S, c, r + V));
            c02 = c02.add(FloatVector.fromArray(S, c, r + 2 * V));
            c03 = c03.add(FloatVector.fromArray(S, c, r + 3 * V));
            c10 = c10.add(FloatVector.fromArray(S, c, r + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, r + ldc + V));
            c12 = c12.add(FloatVector.fromArray(S, c, r + ldc + 2 * V));
            c13 = c13.add(FloatVector.fromArray(S, c, r + ldc + 3 * V));
            c20 = c20.add(FloatVector.fromArray(S, c, r + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, r + 2 * ldc + V));
            c22 = c22.add(FloatVector.fromArray(S, c, r + 2 * ldc + 2 * V));
            c23 = c23.add(FloatVector.fromArray(S, c, r + 2 * ldc + 3 * V));
            c30 = c30.add(FloatVector.fromArray(S, c, r + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, r + 3 * ldc + V));
            c32 = c32.add(FloatVector.fromArray(S, c, r + 3 * ldc + 2 * V));
            c33 = c33.add(FloatVector.fromArray(S, c, r + 3 * ldc + 3 * V));
        }
        c00.intoArray(c, r);
        c01.intoArray(c, r + V);
        c02.intoArray(c, r + 2 * V);
        c03.intoArray(c, r + 3 * V);
        c10.intoArray(c, r + ldc);
        c11.intoArray(c, r + ldc + V);
        c12.intoArray(c, r + ldc + 2 * V);
        c13.intoArray(c, r + ldc + 3 * V);
        c20.intoArray(c, r + 2 * ldc);
        c21.intoArray(c, r + 2 * ldc + V);
        c22.intoArray(c, r + 2 * ldc + 2 * V);
        c23.intoArray(c, r + 2 * ldc + 3 * V);
        c30.intoArray(c, r + 3 * ldc);
        c31.intoArray(c, r + 3 * ldc + V);
        c32.intoArray(c, r + 3 * ldc + 2 * V);
        c33.intoArray(c, r + 3 * ldc + 3 * V);
    }

    /** Two rows of C by two vectors: the rows left after the blocks of four (LeNet's 6 = 4 + 2 channels). */
    private static void block2(boolean transA, int i, int j, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        int ri = transA ? 1 : lda, pi = transA ? lda : 1, a0 = aOff + (transA ? i : i * lda);
        for (int p = 0; p < k; p++) {
            int bp = bOff + p * ldb + j, ap = a0 + p * pi;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + V);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + ri]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
        }
        int r = cOff + i * ldc + j;
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, r));
            c01 = c01.add(FloatVector.fromArray(S, c, r + V));
            c10 = c10.add(FloatVector.fromArray(S, c, r + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, r + ldc + V));
        }
        c00.intoArray(c, r);
        c01.intoArray(c, r + V);
        c10.intoArray(c, r + ldc);
        c11.intoArray(c, r + ldc + V);
    }

    private static void block1(boolean transA, int i, int j, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int bp = bOff + p * ldb + j;
            FloatVector x = FloatVector.broadcast(S, at(transA, a, aOff, lda, i, p));
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + V), c1);
        }
        int r = cOff + i * ldc + j;
        if (accumulate) {
            c0 = c0.add(FloatVector.fromArray(S, c, r));
            c1 = c1.add(FloatVector.fromArray(S, c, r + V));
        }
        c0.intoArray(c, r);
        c1.intoArray(c, r + V);
    }

    static void nt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc) {
        int bound = S.loopBound(k);
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * lda;
            int j = 0;
            for (; j + 2 <= n; j += 2) dots4x2(a, a0, lda, b, bOff + j * ldb, ldb, k, bound, c, cOff + i * ldc + j, ldc);
            for (; j < n; j++) {
                int b0 = bOff + j * ldb;
                FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
                int p = 0;
                for (; p < bound; p += V) {
                    FloatVector bv = FloatVector.fromArray(S, b, b0 + p);
                    s0 = FloatVector.fromArray(S, a, a0 + p).fma(bv, s0);
                    s1 = FloatVector.fromArray(S, a, a0 + lda + p).fma(bv, s1);
                    s2 = FloatVector.fromArray(S, a, a0 + 2 * lda + p).fma(bv, s2);
                    s3 = FloatVector.fromArray(S, a, a0 + 3 * lda + p).fma(bv, s3);
                }
                float t0 = SimdVector.sum(s0), t1 = SimdVector.sum(s1);
                float t2 = SimdVector.sum(s2), t3 = SimdVector.sum(s3);
                for (; p < k; p++) {
                    float bv = b[b0 + p];
                    t0 += a[a0 + p] * bv;
                    t1 += a[a0 + lda + p] * bv;
                    t2 += a[a0 + 2 * lda + p] * bv;
                    t3 += a[a0 + 3 * lda + p] * bv;
                }
                int co = cOff + i * ldc + j;
                c[co] += t0;
                c[co + ldc] += t1;
                c[co + 2 * ldc] += t2;
                c[co + 3 * ldc] += t3;
            }
        }
        for (; i < m; i++) {
            int a0 = aOff + i * lda;
            int j = 0;
            // one row of A against four of B: four accumulator chains, so the FMAs do not wait on
            // each other's latency as a lone dot product's do (LeNet's 6 = 4 + 2 output channels)
            for (; j + 4 <= n; j += 4) dots1x4(a, a0, b, bOff + j * ldb, ldb, k, bound, c, cOff + i * ldc + j);
            for (; j < n; j++) {
                int b0 = bOff + j * ldb;
                int p = 0;
                FloatVector s = FloatVector.zero(S);
                for (; p < bound; p += V) s = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), s);
                float t = SimdVector.sum(s);
                for (; p < k; p++) t += a[a0 + p] * b[b0 + p];
                c[cOff + i * ldc + j] += t;
            }
        }
    }

    /** One row of A against four rows of B: 4 accumulators, 5 loads per 4 multiply-adds. */
    private static void dots1x4(float[] a, int a0, float[] b, int b0, int ldb, int k, int bound, float[] c, int co) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int p = 0;
        for (; p < bound; p += V) {
            FloatVector r = FloatVector.fromArray(S, a, a0 + p);
            s0 = r.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = r.fma(FloatVector.fromArray(S, b, b0 + ldb + p), s1);
            s2 = r.fma(FloatVector.fromArray(S, b, b0 + 2 * ldb + p), s2);
            s3 = r.fma(FloatVector.fromArray(S, b, b0 + 3 * ldb + p), s3);
        }
        float t0 = SimdVector.sum(s0), t1 = SimdVector.sum(s1);
        float t2 = SimdVector.sum(s2), t3 = SimdVector.sum(s3);
        for (; p < k; p++) {
            float x = a[a0 + p];
            t0 += x * b[b0 + p];
            t1 += x * b[b0 + ldb + p];
            t2 += x * b[b0 + 2 * ldb + p];
            t3 += x * b[b0 + 3 * ldb + p];
        }
        c[co] += t0;
        c[co + 1] += t1;
        c[co + 2] += t2;
        c[co + 3] += t3;
    }

    /** Four rows of A against two rows of B: 8 accumulators, 6 loads per 8 multiply-adds. */
    private static void dots4x2(float[] a, int a0, int lda, float[] b, int b0, int ldb, int k, int bound,
                                float[] c, int co, int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        int p = 0;
        for (; p < bound; p += V) {
            FloatVector x0 = FloatVector.fromArray(S, b, b0 + p), x1 = FloatVector.fromArray(S, b, b0 + ldb + p);
            FloatVector r = FloatVector.fromArray(S, a, a0 + p);
            s00 = r.fma(x0, s00);
            s01 = r.fma(x1, s01);
            r = FloatVector.fromArray(S, a, a0 + lda + p);
            s10 = r.fma(x0, s10);
            s11 = r.fma(x1, s11);
            r = FloatVector.fromArray(S, a, a0 + 2 * lda + p);
            s20 = r.fma(x0, s20);
            s21 = r.fma(x1, s21);
            r = FloatVector.fromArray(S, a, a0 + 3 * lda + p);
            s30 = r.fma(x0, s30);
            s31 = r.fma(x1, s31);
        }
        float t00 = SimdVector.sum(s00), t01 = SimdVector.sum(s01);
        float t10 = SimdVector.sum(s10), t11 = SimdVector.sum(s11);
        float t20 = SimdVector.sum(s20), t21 = SimdVector.sum(s21);
        float t30 = SimdVector.sum(s30), t31 = SimdVector.sum(s31);
        for (; p < k; p++) {
            float x0 = b[b0 + p], x1 = b[b0 + ldb + p];
            t00 += a[a0 + p] * x0;
            t01 += a[a0 + p] * x1;
            t10 += a[a0 + lda + p] * x0;
            t11 += a[a0 + lda + p] * x1;
            t20 += a[a0 + 2 * lda + p] * x0;
            t21 += a[a0 + 2 * lda + p] * x1;
            t30 += a[a0 + 3 * lda + p] * x0;
            t31 += a[a0 + 3 * lda + p] * x1;
        }
        c[co] += t00;
        c[co + 1] += t01;
        c[co + ldc] += t10;
        c[co + ldc + 1] += t11;
        c[co + 2 * ldc] += t20;
        c[co + 2 * ldc + 1] += t21;
        c[co + 3 * ldc] += t30;
        c[co + 3 * ldc + 1] += t31;
    }
}
