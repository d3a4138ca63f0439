package org.backprop.tensor;

import org.backprop.kernel.Gemm;

/**
 * Matrix products on {@link Gemm}. A 2-D operand that is a transposed view (as {@code W.t()} in a
 * dense layer, or the backward pass's Aᵀ and Bᵀ) is passed to the kernel with a transpose flag,
 * so its data is never copied.
 */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: operands must have at least one axis, got shapes "
                    + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        // 1-D · 1-D is a dot product with a 0-d result, as in NumPy (squeeze(-2) below would need rank 2)
        if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        int[] as = a.shape(), bs = b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(as) + " and " + Shape.str(bs)
                    + " do not align (" + k + " columns against " + k2 + " rows)");
        }
        Tensor out = a.dim() == 2 && b.dim() == 2 ? product2d(a, b, m, n, k) : batched(a, b, m, n, k);
        // d(A·B)/dA = G·Bᵀ ; d(A·B)/dB = Aᵀ·G (both through transposed views, no copies)
        return Tensor.record(out, "matmul", g -> new Tensor[] {
            a.requiresGrad() ? g.matmul(b.transpose(-1, -2)) : null,
            b.requiresGrad() ? a.transpose(-1, -2).matmul(g) : null}, a, b);
    }

    private static Tensor product2d(Tensor a, Tensor b, int m, int n, int k) {
        Operand oa = Operand.of(a), ob = Operand.of(b);
        float[] c = new float[m * n];
        Gemm.sgemm(oa.trans, ob.trans, m, n, k, 1f, oa.data, oa.offset, oa.ld, ob.data, ob.offset, ob.ld,
                0f, c, 0, n);
        return Tensor.contiguousOver(c, new int[] {m, n});
    }

    /** Leading axes broadcast; each pair of matrices goes to the kernel in turn. */
    private static Tensor batched(Tensor a, Tensor b, int m, int n, int k) {
        int[] as = a.shape(), bs = b.shape();
        int[] batchA = java.util.Arrays.copyOf(as, as.length - 2), batchB = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shape.broadcast(batchA, batchB, "matmul");
        int count = Shape.numel(batch);
        Tensor ac = Views.expand(a.detach().reshape(padTo(batchA, batch.length, m, k)), concat(batch, m, k)).contiguous();
        Tensor bc = Views.expand(b.detach().reshape(padTo(batchB, batch.length, k, n)), concat(batch, k, n)).contiguous();
        float[] c = new float[count * m * n];
        for (int i = 0; i < count; i++) {
            Gemm.sgemm(false, false, m, n, k, 1f, ac.array(), ac.offset() + i * m * k, k,
                    bc.array(), bc.offset() + i * k * n, n, 0f, c, i * m * n, n);
        }
        return Tensor.contiguousOver(c, concat(batch, m, n));
    }

    private static int[] padTo(int[] batch, int rank, int r, int c) {
        int[] s = new int[rank + 2];
        java.util.Arrays.fill(s, 1);
        System.arraycopy(batch, 0, s, rank - batch.length, batch.length);
        s[rank] = r;
        s[rank + 1] = c;
        return s;
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /** How a 2-D tensor is handed to the kernel: as stored, as a transposed view, or copied. */
    private record Operand(float[] data, int offset, int ld, boolean trans) {
        static Operand of(Tensor t) {
            int rows = t.size(0), cols = t.size(1);
            int[] st = t.strides();
            if (t.isContiguous()) return new Operand(t.array(), t.offset(), Math.max(cols, 1), false);
            if ((st[0] == 1 || rows == 1) && (st[1] == rows || cols == 1)) {
                return new Operand(t.array(), t.offset(), Math.max(rows, 1), true);
            }
            Tensor c = t.detach().contiguous();
            return new Operand(c.array(), c.offset(), Math.max(cols, 1), false);
        }
    }
}
