package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.doubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Forward values of the tensor operations against plain double-precision loops written here. */
class ForwardValuesTest {
    private final Random rng = new Random(7);

    private Tensor u(double lo, double hi, int... shape) {
        return Fixtures.uniform(rng, lo, hi, shape).requiresGrad(false);
    }

    /** float32 results: a few ulps relative, with a small absolute floor for values near 0. */
    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-7 + 2e-6 * Math.abs(expected), what);
    }

    private static void close(double[] expected, Tensor actual, String what) {
        double[] a = doubles(actual);
        assertEquals(expected.length, a.length, what + ": element count");
        for (int i = 0; i < a.length; i++) close(expected[i], a[i], what + " [" + i + "]");
    }

    /** Φ(x) = ½ + ∫₀ˣ φ(t) dt by composite Simpson's rule: independent of the library's erf. */
    private static double normalCdf(double x) {
        int n = 2000;
        double h = x / n, s = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            s += w * Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
        }
        return 0.5 + s * h / 3;
    }

    @Test
    void unaryOps() {
        Map<String, UnaryOperator<Tensor>> ops = new LinkedHashMap<>();
        Map<String, DoubleUnaryOperator> refs = new LinkedHashMap<>();
        ops.put("neg", Tensor::neg);                     refs.put("neg", x -> -x);
        ops.put("exp", Tensor::exp);                     refs.put("exp", Math::exp);
        ops.put("abs", Tensor::abs);                     refs.put("abs", Math::abs);
        ops.put("square", Tensor::square);               refs.put("square", x -> x * x);
        ops.put("relu", Tensor::relu);                   refs.put("relu", x -> x > 0 ? x : 0);
        ops.put("leakyRelu", x -> x.leakyRelu(0.2f));    refs.put("leakyRelu", x -> x > 0 ? x : 0.2 * x);
        ops.put("elu", x -> x.elu(1.5f));                refs.put("elu", x -> x > 0 ? x : 1.5 * (Math.exp(x) - 1));
        ops.put("sigmoid", Tensor::sigmoid);             refs.put("sigmoid", x -> 1 / (1 + Math.exp(-x)));
        ops.put("tanh", Tensor::tanh);                   refs.put("tanh", x -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1));
        ops.put("gelu", Tensor::gelu);                   refs.put("gelu", x -> x * normalCdf(x));
        ops.put("clamp", x -> x.clamp(-0.5f, 1f));       refs.put("clamp", x -> x < -0.5 ? -0.5 : x > 1 ? 1 : x);
        ops.put("pow3", x -> x.pow(3f));                 refs.put("pow3", x -> x * x * x);
        ops.put("addScalar", x -> x.add(2.5f));          refs.put("addScalar", x -> x + 2.5);
        ops.put("subScalar", x -> x.sub(2.5f));          refs.put("subScalar", x -> x - 2.5);
        ops.put("mulScalar", x -> x.mul(-3f));           refs.put("mulScalar", x -> -3 * x);
        ops.put("divScalar", x -> x.div(4f));            refs.put("divScalar", x -> x / 4);
        Tensor x = u(-3, 3, 3, 5);
        double[] xv = doubles(x);
        ops.forEach((name, op) -> {
            DoubleUnaryOperator ref = refs.get(name);
            double[] expected = new double[xv.length];
            for (int i = 0; i < xv.length; i++) expected[i] = ref.applyAsDouble(xv[i]);
            close(expected, op.apply(x), name);
        });
        // functions with a restricted domain
        Tensor pos = u(0.1, 4, 3, 5);
        double[] pv = doubles(pos);
        double[] log = new double[pv.length], sqrt = new double[pv.length], pow = new double[pv.length];
        for (int i = 0; i < pv.length; i++) {
            log[i] = Math.log(pv[i]);
            sqrt[i] = Math.sqrt(pv[i]);
            pow[i] = Math.exp(-1.5 * Math.log(pv[i]));
        }
        close(log, pos.log(), "log");
        close(sqrt, pos.sqrt(), "sqrt");
        close(pow, pos.pow(-1.5f), "pow(-1.5)");
    }

    @Test
    void binaryOpsBroadcastLikeNumPy() {
        Map<String, DoubleBinaryOperator> refs = new LinkedHashMap<>();
        refs.put("add", Double::sum);
        refs.put("sub", (p, q) -> p - q);
        refs.put("mul", (p, q) -> p * q);
        refs.put("div", (p, q) -> p / q);
        refs.put("pow", Math::pow);
        refs.put("maximum", Math::max);
        refs.put("minimum", Math::min);
        Tensor a = u(0.5, 2, 2, 1, 4), b = u(-2, 2, 3, 1); // broadcast to [2, 3, 4]
        double[] av = doubles(a), bv = doubles(b);
        refs.forEach((name, ref) -> {
            Tensor out = switch (name) {
                case "add" -> a.add(b);
                case "sub" -> a.sub(b);
                case "mul" -> a.mul(b);
                case "div" -> a.div(b);
                case "pow" -> a.pow(b);
                case "maximum" -> a.maximum(b);
                default -> a.minimum(b);
            };
            assertArrayEquals(new int[] {2, 3, 4}, out.shape(), name + " shape");
            double[] expected = new double[24];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = ref.applyAsDouble(av[i * 4 + k], bv[j]);
                }
            }
            close(expected, out, name);
        });
        // trailing-axis vector, scalar, and a transposed (strided) operand
        Tensor m = u(-2, 2, 2, 3), v = u(-2, 2, 3);
        double[] mv = doubles(m), vv = doubles(v);
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) expected[i] = mv[i] * vv[i % 3];
        close(expected, m.mul(v), "[2,3]*[3]");
        for (int i = 0; i < 6; i++) expected[i] = mv[i] - 0.75;
        close(expected, m.sub(Tensor.scalar(0.75f)), "[2,3]-scalar");
        Tensor mt = u(-2, 2, 3, 2);
        double[] mtv = doubles(mt);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) expected[i * 3 + j] = mtv[j * 2 + i] + mv[i * 3 + j];
        close(expected, mt.t().add(m), "transposed + contiguous");
    }

    @Test
    void reductions() {
        Tensor x = u(-3, 3, 3, 5, 2);
        double[] xv = doubles(x);
        double all = 0;
        double best = Double.NEGATIVE_INFINITY;
        int bestAt = -1;
        for (int i = 0; i < xv.length; i++) {
            all += xv[i];
            if (xv[i] > best) {
                best = xv[i];
                bestAt = i;
            }
        }
        close(all, x.sum().item(), "sum()");
        close(all / 30, x.mean().item(), "mean()");
        close(best, x.max().item(), "max()");
        assertEquals(bestAt, x.argmax(), "argmax()");

        int[] dims = {3, 5, 2};
        for (int axis = 0; axis < 3; axis++) {
            int n = dims[axis];
            int[] kept = dims.clone();
            kept[axis] = 1;
            double[] sum = new double[30 / n], max = new double[30 / n];
            double[] arg = new double[30 / n];
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    for (int k = 0; k < 2; k++) {
                        int[] idx = {i, j, k};
                        int along = idx[axis];
                        idx[axis] = 0;
                        int out = (idx[0] * kept[1] + idx[1]) * kept[2] + idx[2];
                        double v = xv[(i * 5 + j) * 2 + k];
                        sum[out] += v;
                        if (v > max[out]) {
                            max[out] = v;
                            arg[out] = along;
                        }
                    }
                }
            }
            double[] mean = sum.clone();
            for (int i = 0; i < mean.length; i++) mean[i] /= n;
            close(sum, x.sum(axis, false), "sum axis " + axis);
            close(mean, x.mean(axis, true), "mean axis " + axis);
            close(max, x.max(axis, false), "max axis " + axis);
            close(arg, x.argmax(axis, false), "argmax axis " + axis);
            assertArrayEquals(kept, x.sum(axis, true).shape(), "keepDim shape, axis " + axis);
            assertEquals(2, x.sum(axis, false).dim(), "reduced rank, axis " + axis);
            assertArrayEquals(x.sum(axis, false).toFloatArray(), x.sum(axis - 3, false).toFloatArray(), "negative axis");
        }
    }

    @Test
    void softmaxAndLogSoftmax() {
        Tensor x = u(-4, 4, 3, 5);
        double[] xv = doubles(x);
        // along axis 1 (rows) and axis 0 (columns)
        for (int axis = 0; axis < 2; axis++) {
            double[] soft = new double[15], logSoft = new double[15];
            int lines = axis == 1 ? 3 : 5, n = axis == 1 ? 5 : 3;
            for (int l = 0; l < lines; l++) {
                double z = 0;
                for (int k = 0; k < n; k++) z += Math.exp(xv[axis == 1 ? l * 5 + k : k * 5 + l]);
                for (int k = 0; k < n; k++) {
                    int p = axis == 1 ? l * 5 + k : k * 5 + l;
                    soft[p] = Math.exp(xv[p]) / z;
                    logSoft[p] = xv[p] - Math.log(z);
                }
            }
            close(soft, x.softmax(axis), "softmax axis " + axis);
            close(logSoft, x.logSoftmax(axis), "logSoftmax axis " + axis);
        }
    }

    private static double[] naiveMatmul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @Test
    void matmul() {
        Tensor a = u(-1, 1, 6, 9), b = u(-1, 1, 9, 7);
        close(naiveMatmul(doubles(a), doubles(b), 6, 9, 7), a.matmul(b), "2-D");
        // transposed views: (aᵀ)ᵀ·(bᵀ)ᵀ with the transposes materialised by hand
        Tensor at = u(-1, 1, 9, 6), bt = u(-1, 1, 7, 9);
        double[] atv = doubles(at), btv = doubles(bt), ta = new double[54], tb = new double[63];
        for (int i = 0; i < 9; i++) for (int j = 0; j < 6; j++) ta[j * 9 + i] = atv[i * 6 + j];
        for (int i = 0; i < 7; i++) for (int j = 0; j < 9; j++) tb[j * 7 + i] = btv[i * 9 + j];
        close(naiveMatmul(ta, tb, 6, 9, 7), at.t().matmul(bt.t()), "transposed views");
        // batched: [2,1,3,4] · [3,4,2] → [2,3,3,2]
        Tensor p = u(-1, 1, 2, 1, 3, 4), q = u(-1, 1, 3, 4, 2);
        double[] pv = doubles(p), qv = doubles(q);
        Tensor pq = p.matmul(q);
        assertArrayEquals(new int[] {2, 3, 3, 2}, pq.shape());
        double[] expected = new double[36];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double[] block = naiveMatmul(java.util.Arrays.copyOfRange(pv, i * 12, i * 12 + 12),
                        java.util.Arrays.copyOfRange(qv, j * 8, j * 8 + 8), 3, 4, 2);
                System.arraycopy(block, 0, expected, (i * 3 + j) * 6, 6);
            }
        }
        close(expected, pq, "batched");
        // 1-D operands
        Tensor v = u(-1, 1, 9), w = u(-1, 1, 9);
        double dot = 0;
        double[] vv = doubles(v), wv = doubles(w);
        for (int i = 0; i < 9; i++) dot += vv[i] * wv[i];
        Tensor d = v.matmul(w);
        assertEquals(0, d.dim(), "vector·vector is 0-d");
        close(dot, d.item(), "dot");
        close(naiveMatmul(vv, doubles(b), 1, 9, 7), v.matmul(b), "vector·matrix");
        assertArrayEquals(new int[] {7}, v.matmul(b).shape());
        close(naiveMatmul(doubles(a), vv, 6, 9, 1), a.matmul(v), "matrix·vector");
        assertArrayEquals(new int[] {6}, a.matmul(v).shape());
    }

    @Test
    void views() {
        Tensor x = u(-1, 1, 2, 3, 4);
        Tensor t = x.transpose(0, 2);
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        Tensor s = x.slice(2, 1, 3);
        assertArrayEquals(new int[] {2, 3, 2}, s.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(x.get(i, j, k), t.get(k, j, i));
                    if (k >= 1 && k < 3) assertEquals(x.get(i, j, k), s.get(i, j, k - 1));
                }
            }
        }
        assertArrayEquals(x.toFloatArray(), x.reshape(6, 4).toFloatArray());
        assertArrayEquals(new int[] {2, 12}, x.flatten(1).shape());
        assertArrayEquals(new int[] {2, 1, 3, 4}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3, 4}, x.unsqueeze(-1).squeeze(3).shape());
        // a copy of a strided view lists its elements in the view's row-major order
        float[] tc = t.contiguous().toFloatArray();
        assertEquals(x.get(1, 2, 3), tc[(3 * 3 + 2) * 2 + 1]);
    }
}
