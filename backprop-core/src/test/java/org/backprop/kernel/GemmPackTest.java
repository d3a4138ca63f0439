package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link GemmPack}'s panels, value for value, against the layout written out by plain loops: B
 * panels [kc][NR] and A panels [kc][MR], zero-padded, from stored and transposed operands, for
 * K blocks shorter than, equal to and longer than a vector (the transposes take V steps at a
 * time and plain loops the rest) and for an odd number of A panels (the transposes pair them).
 */
class GemmPackTest {
    private static final int[] KCS = {1, 7, Simd.LANES, Simd.LANES + 3, 2 * Simd.LANES, 3 * Simd.LANES + 5};
    private final Random rng = new Random(7);

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() * 2 - 1;
        return x;
    }

    @Test
    void bPanelsHoldOpBColumnsInOrder() {
        assumeTrue(Simd.VECTOR); // GemmVector loads only with vectors
        int nr = GemmVector.NR;
        for (boolean trans : new boolean[] {false, true}) {
            for (int kc : KCS) {
                for (int n : new int[] {nr, 2 * nr + 5, 3}) {
                    int k0 = 2, k = k0 + kc, off = 3, ldb = (trans ? k : n) + 4;
                    float[] b = random(off + (trans ? n : k) * ldb);
                    int panels = (n + nr - 1) / nr;
                    float[] got = new float[panels * nr * kc], want = new float[got.length];
                    java.util.Arrays.fill(got, Float.NaN); // the padding must be written, not assumed zero
                    GemmPack.packB(trans, b, off, ldb, k0, kc, n, 0, panels, got, 0);
                    for (int jp = 0; jp < panels; jp++) {
                        for (int p = 0; p < kc; p++) {
                            for (int q = 0; q < nr; q++) {
                                int j = jp * nr + q;
                                want[jp * nr * kc + p * nr + q] = j >= n ? 0f : trans ? b[off + j * ldb + k0 + p] : b[off + (k0 + p) * ldb + j];
                            }
                        }
                    }
                    assertArrayEquals(want, got, "trans=" + trans + " kc=" + kc + " n=" + n);
                }
            }
        }
    }

    @Test
    void aPanelsHoldOpARowsInOrder() {
        assumeTrue(Simd.VECTOR);
        int mr = GemmVector.MR;
        for (boolean trans : new boolean[] {false, true}) {
            for (float alpha : new float[] {1f, -0.5f}) {
                for (int kc : KCS) {
                    for (int m : new int[] {mr, 3 * mr, 3 * mr + 2, 2}) {
                        int k0 = 1, k = k0 + kc, off = 5, lda = (trans ? m : k) + 3;
                        float[] a = random(off + (trans ? k : m) * lda);
                        int panels = (m + mr - 1) / mr;
                        float[] got = new float[panels * mr * kc], want = new float[got.length];
                        java.util.Arrays.fill(got, Float.NaN);
                        GemmPack.packA(trans, a, off, lda, alpha, 0, m, k0, kc, got);
                        for (int ip = 0; ip < panels; ip++) {
                            for (int p = 0; p < kc; p++) {
                                for (int r = 0; r < mr; r++) {
                                    int i = ip * mr + r;
                                    want[ip * mr * kc + p * mr + r] = i >= m ? 0f
                                            : alpha * (trans ? a[off + (k0 + p) * lda + i] : a[off + i * lda + k0 + p]);
                                }
                            }
                        }
                        assertArrayEquals(want, got, "trans=" + trans + " alpha=" + alpha + " kc=" + kc + " m=" + m);
                    }
                }
            }
        }
    }

    /**
     * A as stored, rows i0..i1 from the middle of a wider matrix: whole panels go through the
     * in-register transposes V values of k at a time, the rest through the scalar loop; both must
     * write alpha·a exactly (signed zeros included) for k blocks starting off a vector boundary.
     */
    @Test
    void storedAPanelsFromAnOffsetBlockMatchTheScalarLayout() {
        assumeTrue(Simd.VECTOR);
        int mr = GemmVector.MR, v = Simd.LANES;
        for (float alpha : new float[] {1f, 3f, -1f}) {
            for (int kc : new int[] {v - 1, v + 1, 4 * v + 3, 5 * v}) {
                for (int rows : new int[] {mr, 2 * mr + 3, 5 * mr}) {
                    int i0 = 3, i1 = i0 + rows, k0 = 5, lda = k0 + kc + 11, off = 2;
                    float[] a = random(off + (i1 + 2) * lda);
                    a[off + i0 * lda + k0] = -0f;
                    a[off + (i0 + 1) * lda + k0 + 1] = 0f;
                    int panels = (rows + mr - 1) / mr;
                    float[] got = new float[panels * mr * kc + 9], want = new float[got.length];
                    java.util.Arrays.fill(got, Float.NaN); // every panel slot must be written
                    java.util.Arrays.fill(want, panels * mr * kc, want.length, Float.NaN);
                    GemmPack.packA(false, a, off, lda, alpha, i0, i1, k0, kc, got);
                    for (int ip = 0; ip < panels; ip++) {
                        for (int p = 0; p < kc; p++) {
                            for (int r = 0; r < mr; r++) {
                                int i = i0 + ip * mr + r;
                                want[ip * mr * kc + p * mr + r] = i >= i1 ? 0f : alpha * a[off + i * lda + k0 + p];
                            }
                        }
                    }
                    assertArrayEquals(want, got, "alpha=" + alpha + " kc=" + kc + " rows=" + rows);
                }
            }
        }
    }
}
