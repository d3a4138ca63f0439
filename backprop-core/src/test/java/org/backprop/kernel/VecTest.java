package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector loops give bit-for-bit the scalar rule, on lengths with and without a tail and at offsets. */
class VecTest {

    private static float[] data(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() * 4 - 2;
        if (n > 3) {
            x[0] = -0f;
            x[1] = Float.NaN;
            x[2] = 0f;
            x[3] = Float.NEGATIVE_INFINITY;
        }
        return x;
    }

    private static void same(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what + ": " + expected + " vs " + actual);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 16, 33, 100, 257})
    void binaryOpsMatchScalar(int n) {
        float[] a = data(n + 3, 1), b = data(n + 5, 2);
        for (Vec.Op op : Vec.Op.values()) {
            float[] out = new float[n + 1];
            Vec.binary(op, a, 3, b, 5, out, 1, n);
            for (int i = 0; i < n; i++) {
                float x = a[3 + i], y = b[5 + i];
                float e = switch (op) {
                    case ADD -> x + y;
                    case SUB -> x - y;
                    case MUL -> x * y;
                };
                same(e, out[1 + i], op + " at " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 16, 37, 256})
    void rowBroadcastAndColumnSumsMatchScalar(int cols) {
        int rows = 5;
        float[] a = data(2 + rows * cols, 3), row = data(cols + 1, 4);
        float[] out = new float[rows * cols];
        Vec.rowBroadcast(Vec.Op.ADD, a, 2, row, 1, out, 0, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) same(a[2 + r * cols + j] + row[1 + j], out[r * cols + j], "bias add");
        }
        float[] sums = new float[cols + 2];
        float[] expected = new float[cols];
        Vec.addColumnSums(a, 2, rows, cols, sums, 2);
        for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) expected[j] += a[2 + r * cols + j];
        for (int j = 0; j < cols; j++) same(expected[j], sums[2 + j], "column " + j);
        same(0f, sums[0], "untouched before the window");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 15, 16, 17, 100})
    void reluForwardAndBackwardMatchScalar(int n) {
        float[] x = data(n + 2, 5), g = data(n + 1, 6);
        float[] y = new float[n], gi = new float[n];
        Vec.relu(x, 2, y, n);
        Vec.reluBackward(g, 1, y, gi, n);
        for (int i = 0; i < n; i++) {
            float v = x[2 + i];
            same(v > 0 ? v : 0f, y[i], "relu at " + i);
            same(g[1 + i] * (v > 0 ? 1f : 0f), gi[i], "relu backward at " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 63, 64, 65, 2047, 2048, 2049, 100_000})
    void sumIsTheExactSumWithinFloatRoundingOfShortRuns(int n) {
        Random rng = new Random(n);
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat() * 4 - 1; // mostly positive, so errors do not cancel
        double exact = 0;
        for (int i = 3; i < n + 3; i++) exact += x[i];
        double got = Vec.sum(x, 3, n);
        // each float lane adds at most 2048 / (4·lanes) values: bounded by that many roundings of the block sums
        assertEquals(exact, got, 1e-6 * Math.max(1, Math.abs(exact)), "n = " + n);
    }

    @org.junit.jupiter.api.Test
    void sumPropagatesNaNAndInfinity() {
        float[] x = data(100, 9); // x[1] is NaN
        assertEquals(Double.NaN, Vec.sum(x, 0, 100));
        float[] y = {1f, Float.POSITIVE_INFINITY, 2f};
        assertEquals(Double.POSITIVE_INFINITY, Vec.sum(y, 0, 3));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 16, 33, 100, 257, 4099})
    void sumOfSquaresMatchesTheDoubleSumAndRepeats(int n) {
        Random rng = new Random(n);
        float[] a = new float[n + 2];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian() * (i % 3 == 0 ? 1e-3f : 1f);
        double expected = 0;
        for (int i = 0; i < n; i++) expected += (double) a[2 + i] * a[2 + i];
        double got = Vec.sumOfSquares(a, 2, n);
        assertEquals(expected, got, 1e-12 * Math.max(1, expected), "n=" + n);
        assertEquals(Double.doubleToRawLongBits(got), Double.doubleToRawLongBits(Vec.sumOfSquares(a, 2, n)), "same bits again");
        if (n > 0) {
            a[2 + n / 2] = Float.NaN;
            assertEquals(Double.NaN, Vec.sumOfSquares(a, 2, n), "a NaN gradient gives a NaN sum");
        }
    }
}
