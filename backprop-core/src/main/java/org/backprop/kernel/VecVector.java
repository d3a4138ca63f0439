package org.backprop.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API forms of {@link Vec}'s loops (whole vectors, then the scalar tail); loaded only when {@link Simd#VECTOR}. */
final class VecVector {
    private VecVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    /**
     * sums[so + j] += Σ_r x[xo + r·ld + j] for j in [0, cols): four vectors of columns at a time held
     * in registers down all the rows (a row at a time, each sum went through memory once a row).
     * Each sum adds the rows in order, as the row-at-a-time loop: the same bits.
     */
    static void addColumnSums(float[] x, int xo, int rows, int cols, int ld, float[] sums, int so) {
        int step = S.length(), j = 0;
        for (; j + 4 * step <= cols; j += 4 * step) {
            FloatVector s0 = FloatVector.fromArray(S, sums, so + j), s1 = FloatVector.fromArray(S, sums, so + j + step);
            FloatVector s2 = FloatVector.fromArray(S, sums, so + j + 2 * step), s3 = FloatVector.fromArray(S, sums, so + j + 3 * step);
            for (int r = 0, o = xo + j; r < rows; r++, o += ld) {
                s0 = s0.add(FloatVector.fromArray(S, x, o));
                s1 = s1.add(FloatVector.fromArray(S, x, o + step));
                s2 = s2.add(FloatVector.fromArray(S, x, o + 2 * step));
                s3 = s3.add(FloatVector.fromArray(S, x, o + 3 * step));
            }
            s0.intoArray(sums, so + j);
            s1.intoArray(sums, so + j + step);
            s2.intoArray(sums, so + j + 2 * step);
            s3.intoArray(sums, so + j + 3 * step);
        }
        for (; j + step <= cols; j += step) {
            FloatVector s0 = FloatVector.fromArray(S, sums, so + j);
            for (int r = 0, o = xo + j; r < rows; r++, o += ld) s0 = s0.add(FloatVector.fromArray(S, x, o));
            s0.intoArray(sums, so + j);
        }
        for (; j < cols; j++) {
            float t = sums[so + j];
            for (int r = 0, o = xo + j; r < rows; r++, o += ld) t += x[o];
            sums[so + j] = t;
        }
    }

    static void binary(Vec.Op op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        // One loop per operation, so no switch sits inside the vector loop.
        int i = 0;
        int bound = S.loopBound(n), step = S.length();
        switch (op) {
            case ADD -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
            }
            case SUB -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
            }
            case MUL -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
            }
        }
    }

    static void relu(float[] x, int xo, float[] y, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[i] = v > 0 ? v : 0f;
        }
    }

    static void reluBackward(float[] g, int go, float[] y, float[] gi, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
            FloatVector.fromArray(S, g, go + i).mul(zero.blend(one, positive)).intoArray(gi, i);
        }
        for (; i < n; i++) gi[i] = g[go + i] * (y[i] > 0 ? 1f : 0f);
    }

    /** One block of {@link Vec#sum}: four vectors of float lanes, then the scalar tail. */
    static float blockSum(float[] a, int start, int len) {
        int v = S.length(), bound4 = len - len % (4 * v), i = 0;
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        for (; i < bound4; i += 4 * v) {
            s0 = s0.add(FloatVector.fromArray(S, a, start + i));
            s1 = s1.add(FloatVector.fromArray(S, a, start + i + v));
            s2 = s2.add(FloatVector.fromArray(S, a, start + i + 2 * v));
            s3 = s3.add(FloatVector.fromArray(S, a, start + i + 3 * v));
        }
        float block = SimdVector.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < len; i++) block += a[start + i];
        return block;
    }

    static boolean allFinite(float[] a, int off, int n) {
        int i = 0, v = S.length();
        // Four sums, so the adds' latency does not bound the loop (at 8 lanes one sum did).
        FloatVector acc0 = FloatVector.zero(S), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int bound = n - 4 * v; i <= bound; i += 4 * v) {
            acc0 = acc0.add(FloatVector.fromArray(S, a, off + i).mul(0f));
            acc1 = acc1.add(FloatVector.fromArray(S, a, off + i + v).mul(0f));
            acc2 = acc2.add(FloatVector.fromArray(S, a, off + i + 2 * v).mul(0f));
            acc3 = acc3.add(FloatVector.fromArray(S, a, off + i + 3 * v).mul(0f));
        }
        for (int bound = S.loopBound(n); i < bound; i += v) {
            acc0 = acc0.add(FloatVector.fromArray(S, a, off + i).mul(0f));
        }
        FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
        if (acc.test(VectorOperators.IS_NAN).anyTrue()) return false;
        float tail = 0f;
        for (; i < n; i++) tail += a[off + i] * 0f;
        return tail == 0f;
    }

    /** Doubles of the kernels' width, and floats of as many lanes: each load widens to one double vector. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

    /**
     * Σ a² over a[off .. off + n): each float widened to double, squared and added lane-wise into
     * two accumulators (fused multiply-add, exact in every JIT tier), whose lanes are then added in
     * index order, then the scalar tail.
     */
    static double sumOfSquares(float[] a, int off, int n) {
        int step = HALF.length(), i = 0;
        DoubleVector acc0 = DoubleVector.zero(D), acc1 = DoubleVector.zero(D);
        for (int bound = n - 2 * step; i <= bound; i += 2 * step) {
            DoubleVector x0 = (DoubleVector) FloatVector.fromArray(HALF, a, off + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector x1 = (DoubleVector) FloatVector.fromArray(HALF, a, off + i + step).convertShape(VectorOperators.F2D, D, 0);
            acc0 = x0.fma(x0, acc0);
            acc1 = x1.fma(x1, acc1);
        }
        double[] lanes = acc0.add(acc1).toArray();
        double s = 0;
        for (double l : lanes) s += l;
        for (; i < n; i++) s += (double) a[off + i] * a[off + i];
        return s;
    }
}
