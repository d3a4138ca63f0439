package org.backprop.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** OpenBLAS through FFM agrees with the Java kernels; skipped where no OpenBLAS is installed. */
class NativeBlasTest {

    @BeforeAll
    static void needsOpenBlas() {
        assumeTrue(NativeBlas.isAvailable(), "no OpenBLAS on this machine (apt-get install libopenblas0-pthread)");
    }

    @ParameterizedTest(name = "ta={0} tb={1} m={2} n={3} k={4}")
    @MethodSource("org.backprop.kernel.GemmJavaEngineTest#shapes")
    void nativeAndJavaAgreeOnOddSizesAndEveryTranspose(boolean ta, boolean tb, int m, int n, int k) {
        for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}}) {
            GemmJavaEngineTest.Case t = GemmJavaEngineTest.Case.random(ta, tb, m, n, k, ab[0], ab[1], 17L * m + 5L * n + k);
            double[] e = t.expected();
            float[] c = t.cCopy();
            NativeBlas.sgemm(ta, tb, m, n, k, ab[0], t.a(), t.aOff(), t.lda(), t.b(), t.bOff(), t.ldb(), ab[1], c,
                    t.cOff(), t.ldc());
            GemmJavaEngineTest.assertMatches(t, e, c, NativeBlas.describe());
            float[] j = t.cCopy();
            Gemm.sgemmJava(ta, tb, m, n, k, ab[0], t.a(), t.aOff(), t.lda(), t.b(), t.bOff(), t.ldb(), ab[1], j,
                    t.cOff(), t.ldc());
            GemmJavaEngineTest.assertMatches(t, e, j, "java");
        }
    }
}
