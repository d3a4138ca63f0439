package org.backprop.tensor;

import java.util.Arrays;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Vec;

/**
 * Elementwise operations with NumPy broadcasting. Each operation computes its forward values and
 * records, right beside them, the local derivative its backward applies. Gradients of broadcast
 * operands come back at the output's shape; the backward driver sums them down
 * ({@link Autograd#sumToShape}).
 */
final class Elementwise {
    private Elementwise() {}

    private static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAX = 5, MIN = 6;
    private static final String[] NAMES = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"};

    /** dy/dx of a unary function, given its input x and output y (whichever is cheaper to use). */
    @FunctionalInterface
    interface Derivative {
        float at(float x, float y);
    }

    @FunctionalInterface
    interface Function {
        float apply(float x);
    }

    // ------------------------------------------------------------ binary, broadcasting

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary(ADD, a, b);
        return Tensor.record(out, "add", g -> new Tensor[] {g, g}, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary(SUB, a, b);
        return Tensor.record(out, "sub", g -> new Tensor[] {g, b.requiresGrad() ? g.neg() : null}, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary(MUL, a, b);
        return Tensor.record(out, "mul", g -> new Tensor[] {
            a.requiresGrad() ? g.mul(b) : null,
            b.requiresGrad() ? g.mul(a) : null}, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary(DIV, a, b);
        // d(a/b)/da = 1/b ; d(a/b)/db = -a/b² = -out/b
        return Tensor.record(out, "div", g -> new Tensor[] {
            a.requiresGrad() ? g.div(b) : null,
            b.requiresGrad() ? g.mul(out).div(b).neg() : null}, a, b);
    }

    /**
     * d(a^e)/da = e·a^(e−1), taken as 0 wherever e = 0 (a⁰ is constant; 0·0⁻¹ would be NaN);
     * d(a^e)/de = a^e·ln(a), taken as 0 where a = 0 and e ≥ 0 (the limit as e → +0; 0·(−∞) would
     * be NaN). Both as PyTorch's pow_backward_self and pow_backward_exponent, including where the
     * mask sits: the base's replaces g·(...), the exponent's replaces only (...). So at a = 0 the
     * base gradient is +∞ for 0 &lt; e &lt; 1, 1 for e = 1, 0 for e &gt; 1, −∞ for e &lt; 0, and the
     * exponent gradient is −∞ for e &lt; 0.
     */
    static Tensor pow(Tensor a, Tensor e) {
        Tensor out = binary(POW, a, e);
        return Tensor.record(out, "pow", g -> new Tensor[] {
            a.requiresGrad() ? binary(ZERO_WHERE_ZERO, g.mul(binary(POW_DBASE, a, e)), e) : null,
            e.requiresGrad() ? g.mul(binary(POW_DEXP, a, e)) : null}, a, e);
    }

    static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binary(MAX, a, b);
        // The larger operand gets the gradient; a tie splits it evenly (as PyTorch does).
        return Tensor.record(out, "maximum", g -> {
            Tensor wa = binary(MAX_MASK, a, b);
            return new Tensor[] {g.mul(wa), g.mul(wa.neg().add(1f))};
        }, a, b);
    }

    static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = binary(MIN, a, b);
        return Tensor.record(out, "minimum", g -> {
            Tensor wb = binary(MAX_MASK, a, b);
            return new Tensor[] {g.mul(wb.neg().add(1f)), g.mul(wb)};
        }, a, b);
    }

    /** 1 where a &gt; b, 0.5 where equal, 0 where a &lt; b: the share of a max's gradient going to a. */
    private static final int MAX_MASK = 7;
    /** Local derivatives of pow (see {@link #pow(Tensor, Tensor)}), and x with 0 wherever y = 0. */
    private static final int POW_DBASE = 8, POW_DEXP = 9, ZERO_WHERE_ZERO = 10;

    private static float apply(int op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> (float) Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case MAX_MASK -> x > y ? 1f : x == y ? 0.5f : 0f;
            case POW_DBASE -> y * (float) Math.pow(x, y - 1f);
            case POW_DEXP -> x == 0 && y >= 0 ? 0f : (float) Math.pow(x, y) * (float) Math.log(x);
            case ZERO_WHERE_ZERO -> y == 0 ? 0f : x;
            default -> throw new IllegalStateException("unknown op " + op);
        };
    }

    /** Evaluates a binary op over the broadcast shape of a and b; any strides, no graph. */
    static Tensor binary(int op, Tensor a, Tensor b) {
        String name = op < NAMES.length ? NAMES[op] : "mask";
        int[] os = Shape.broadcast(a.shape(), b.shape(), name);
        int n = Shape.numel(os);
        float[] out = new float[n];
        float[] ad = a.array(), bd = b.array();
        if (a.isContiguous() && b.isContiguous() && Shape.same(a.shape(), b.shape())) {
            int ao = a.offset(), bo = b.offset();
            Vec.Op v = vectorOp(op);
            if (v != null) {
                Vec.binary(v, ad, ao, bd, bo, out, 0, n);
            } else {
                for (int i = 0; i < n; i++) out[i] = apply(op, ad[ao + i], bd[bo + i]);
            }
            return Tensor.contiguousOver(out, os);
        }
        if (isRowOf(b, a, os) && vectorOp(op) != null) {
            // [..., C] op [C]: a bias row broadcast over every row of a matrix.
            int cols = os[os.length - 1];
            Vec.rowBroadcast(vectorOp(op), ad, a.offset(), bd, b.offset(), out, 0, n / Math.max(cols, 1), cols);
            return Tensor.contiguousOver(out, os);
        }
        if (n == 0) return Tensor.contiguousOver(out, os);
        int r = os.length;
        if (r == 0) {
            out[0] = apply(op, ad[a.offset()], bd[b.offset()]);
            return Tensor.contiguousOver(out, os);
        }
        int[] sa = broadcastStrides(a, os), sb = broadcastStrides(b, os);
        int inner = os[r - 1], ia = sa[r - 1], ib = sb[r - 1];
        int outer = n / inner;
        int[] idx = new int[r - 1];
        int pa = a.offset(), pb = b.offset(), pc = 0;
        for (int o = 0; o < outer; o++) {
            if (op == ADD) {
                for (int j = 0; j < inner; j++) out[pc++] = ad[pa + j * ia] + bd[pb + j * ib];
            } else if (op == MUL) {
                for (int j = 0; j < inner; j++) out[pc++] = ad[pa + j * ia] * bd[pb + j * ib];
            } else {
                for (int j = 0; j < inner; j++) out[pc++] = apply(op, ad[pa + j * ia], bd[pb + j * ib]);
            }
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                pa += sa[d];
                pb += sb[d];
                if (idx[d] < os[d]) break;
                pa -= sa[d] * os[d];
                pb -= sb[d] * os[d];
                idx[d] = 0;
            }
        }
        return Tensor.contiguousOver(out, os);
    }

    private static Vec.Op vectorOp(int op) {
        return switch (op) {
            case ADD -> Vec.Op.ADD;
            case SUB -> Vec.Op.SUB;
            case MUL -> Vec.Op.MUL;
            default -> null;
        };
    }

    /** Whether a is contiguous with the output's shape and b a contiguous row ([C], [1, C], ...) of its last axis. */
    private static boolean isRowOf(Tensor b, Tensor a, int[] os) {
        if (os.length == 0 || !a.isContiguous() || !b.isContiguous() || !Shape.same(a.shape(), os)) return false;
        int[] bs = b.shape();
        if (bs.length == 0 || bs[bs.length - 1] != os[os.length - 1]) return false;
        for (int i = 0; i < bs.length - 1; i++) if (bs[i] != 1) return false;
        return true;
    }

    /** Strides of t read at the broadcast shape: 0 along axes where t has size 1 or is missing. */
    static int[] broadcastStrides(Tensor t, int[] os) {
        int[] ts = t.shape(), st = t.strides();
        int[] out = new int[os.length];
        int lead = os.length - ts.length;
        for (int i = lead; i < os.length; i++) {
            out[i] = ts[i - lead] == 1 ? 0 : st[i - lead];
        }
        return out;
    }

    // ------------------------------------------------------------ with a constant

    static Tensor addScalar(Tensor a, float c) {
        float[] x = a.contiguous().toFloatArray();
        for (int i = 0; i < x.length; i++) x[i] += c;
        Tensor out = Tensor.contiguousOver(x, a.shape());
        return Tensor.record(out, "addScalar", g -> new Tensor[] {g}, a);
    }

    static Tensor mulScalar(Tensor a, float c) {
        float[] x = a.toFloatArray();
        for (int i = 0; i < x.length; i++) x[i] *= c;
        Tensor out = Tensor.contiguousOver(x, a.shape());
        return Tensor.record(out, "mulScalar", g -> new Tensor[] {g.mul(c)}, a);
    }

    static Tensor pow(Tensor a, float e) {
        if (e == 0) {
            // x⁰ is constant: its gradient is 0 everywhere, also at x = 0 where 0·x⁻¹ would give NaN,
            // and whatever the incoming gradient (PyTorch returns zeros without reading it)
            float[] ones = new float[a.numel()];
            Arrays.fill(ones, 1f); // x⁰ = 1 for every x, NaN and 0 included (Math.pow, C, PyTorch)
            Tensor out = Tensor.contiguousOver(ones, a.shape());
            return Tensor.record(out, "pow", g -> new Tensor[] {Tensor.zeros(a.shape())}, a);
        }
        return unary(a, "pow", x -> (float) Math.pow(x, e), (x, y) -> e * (float) Math.pow(x, e - 1));
    }

    static Tensor clamp(Tensor a, float min, float max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        return unary(a, "clamp", x -> Math.min(Math.max(x, min), max), (x, y) -> x >= min && x <= max ? 1f : 0f);
    }

    // ------------------------------------------------------------ unary

    static Tensor exp(Tensor a) {
        return unary(a, "exp", x -> (float) Math.exp(x), (x, y) -> y);
    }

    static Tensor log(Tensor a) {
        return unary(a, "log", x -> (float) Math.log(x), (x, y) -> 1f / x);
    }

    static Tensor sqrt(Tensor a) {
        return unary(a, "sqrt", x -> (float) Math.sqrt(x), (x, y) -> 0.5f / y);
    }

    static Tensor abs(Tensor a) {
        return unary(a, "abs", Math::abs, (x, y) -> Math.signum(x));
    }

    static Tensor relu(Tensor a) {
        // NOTE: the derivative at exactly 0 is taken as 0, as in PyTorch. The backward reads the
        // output: y > 0 exactly where x > 0, so the input need not be kept.
        Tensor c = a.isContiguous() ? a : a.detach().contiguous();
        int n = c.numel();
        float[] y = StepArena.scratch(n); // both kernels write every element
        Vec.relu(c.array(), c.offset(), y, n);
        Tensor out = Tensor.contiguousOver(y, a.shape());
        return Tensor.record(out, "relu", g -> {
            Tensor gc = g.contiguous();
            float[] gi = StepArena.scratch(n);
            Vec.reluBackward(gc.array(), gc.offset(), y, gi, n);
            return new Tensor[] {Tensor.contiguousOver(gi, a.shape())};
        }, a);
    }

    static Tensor leakyRelu(Tensor a, float slope) {
        return unary(a, "leakyRelu", x -> x > 0 ? x : slope * x, (x, y) -> x > 0 ? 1f : slope);
    }

    static Tensor elu(Tensor a, float alpha) {
        return unary(a, "elu", x -> x > 0 ? x : alpha * (float) Math.expm1(x), (x, y) -> x > 0 ? 1f : y + alpha);
    }

    static Tensor sigmoid(Tensor a) {
        return unary(a, "sigmoid", Elementwise::sigmoid, (x, y) -> y * (1f - y));
    }

    static Tensor tanh(Tensor a) {
        return unary(a, "tanh", x -> (float) Math.tanh(x), (x, y) -> 1f - y * y);
    }

    /** Elements per chunk of GELU's two forward passes: 4 arrays of 8 KB stay in L1; a multiple of every vector width. */
    private static final int GELU_CHUNK = 2048;

    static Tensor gelu(Tensor a) {
        // GELU(x) = x·Φ(x); d/dx = Φ(x) + x·φ(x); vectorised in kernel.Gelu
        Tensor c = a.isContiguous() ? a : a.detach().contiguous();
        int n = c.numel();
        float[] y = StepArena.scratch(n); // the kernel writes every element
        Tensor out = Tensor.contiguousOver(y, a.shape());
        // an exp per element: a GPT's MLP (768 × 512 values a layer) is worth splitting over the kernel threads
        long perThread = Parallel.MIN_ELEMENTS_PER_THREAD / 4;
        // Two passes, each its own lambda (compiled on its own; see Gelu.halfSquareExps), over the same parts.
        float[] e = !Tensor.isGradEnabled() || !a.requiresGrad() ? y : StepArena.scratch(n); // the exps, then y or the slope
        if (e == y) {
            Parallel.forRange(n, perThread, (p, from, to) -> org.backprop.kernel.Gelu.halfSquareExps(c.array(), c.offset() + from, e, from, to - from));
            Parallel.forRange(n, perThread, (p, from, to) -> org.backprop.kernel.Gelu.fromExps(c.array(), c.offset() + from, y, from, to - from));
            return out;
        }
        // The slope is kept from the forward pass (same exp), so the backward is one multiply per element.
        float[] slope = e;
        // Both passes chunk by chunk, each chunk's exps still in L1 when the second pass reads them
        // (a whole part's went to memory and back: 768 × 512 floats a layer of a GPT at batch 12).
        // Each pass is a method of its own (see Gelu.halfSquareExps); the bits are the two loops'.
        Parallel.forRange(n, perThread, (p, from, to) -> {
            for (int c0 = from; c0 < to; c0 += GELU_CHUNK) {
                int len = Math.min(to - c0, GELU_CHUNK);
                org.backprop.kernel.Gelu.halfSquareExps(c.array(), c.offset() + c0, slope, c0, len);
                org.backprop.kernel.Gelu.withSlopeFromExps(c.array(), c.offset() + c0, y, c0, slope, c0, len);
            }
        });
        return Tensor.record(out, "gelu", g -> {
            Tensor gc = g.contiguous();
            float[] gi = StepArena.scratch(n);
            Parallel.forRange(n, Parallel.MIN_ELEMENTS_PER_THREAD, (p, from, to) ->
                    Vec.binary(Vec.Op.MUL, gc.array(), gc.offset() + from, slope, from, gi, from, to - from));
            return new Tensor[] {Tensor.contiguousOver(gi, a.shape())};
        }, a);
    }

    /** Logistic function, written so that neither branch overflows for large |x|. */
    static float sigmoid(float x) {
        if (x >= 0) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** A unary op: forward f(x) elementwise; backward g·f'(x, y). */
    static Tensor unary(Tensor a, String name, Function f, Derivative df) {
        float[] x = a.toFloatArray();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.apply(x[i]);
        Tensor out = Tensor.contiguousOver(y, a.shape());
        return Tensor.record(out, name, g -> {
            float[] gd = g.toFloatArray();
            float[] gi = new float[gd.length];
            for (int i = 0; i < gd.length; i++) gi[i] = gd[i] * df.at(x[i], y[i]);
            return new Tensor[] {Tensor.contiguousOver(gi, a.shape())};
        }, a);
    }
}
