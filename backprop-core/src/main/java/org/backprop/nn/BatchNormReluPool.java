package org.backprop.nn;

import org.backprop.kernel.MaxPool2x2;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.PlaneOps;
import org.backprop.kernel.Simd;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Batch normalisation, ReLU and a max-pool over tiling windows as one operation:
 * relu(maxPool(batchNorm(x))), the path {@link Sequential} takes for a BatchNorm2d → ReLU →
 * MaxPool2d run. The layers stay as they are (their specs and state); only the passes change.
 *
 * <p>Apart, the three write the normalised activations (as large as the input), pool them, and in
 * the backward pass write a full-size gradient for batch normalisation to read twice. Here each
 * image plane of a channel is normalised into a small buffer that stays in the L1 cache and
 * pooled from there (2×2 windows on a plane of whole vectors: normalised in the pool kernel's
 * registers, no buffer). The windows ReLU zeroes are marked in the pool's cell bytes, so the
 * backward pass needs the cells and not the output. Backward, each plane's pooled gradient is
 * spread into a buffer for the per-channel sums (which sum it in the lanes of the full plane,
 * as batch normalisation does); the input gradient is then computed from the pooled gradient and
 * the cells directly (2×2 windows, even sides, a vector of windows a row or more), or from the
 * gradient spread again. Only the input, the pooled output and the input gradient go through memory.
 *
 * <p>Every value is computed by the same operations in the same order as the separate layers, so
 * the results are bit for bit theirs, and (one channel per task) do not depend on the thread count.
 */
final class BatchNormReluPool {
    private BatchNormReluPool() {}

    /** relu(maxPool(batchNorm(x))) for x [N, C, H, W]; the arguments as {@link BatchNorm#batchNorm}, sync excluded. */
    static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                        float momentum, float eps, String name, Window2d win) {
        int[] xs = x.shape();
        int[] os = Pooling.outputShape("maxPool2d", xs, win);
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], s = h * w, cs = c * s;
        int kh = win.kh(), kw = win.kw(), oh = os[2], ow = os[3], per = oh * ow;
        long m = (long) n * s; // values per channel
        if (training && m <= 1) {
            throw new IllegalArgumentException(name + ": expected more than 1 value per channel when training, got input "
                    + Shape.str(xs));
        }
        Tensor xc = x.contiguous();
        Tensor wc = weight.contiguous(), bc = bias.contiguous();
        float[] xd = xc.array();
        int xOff = xc.offset();
        float[] gamma = wc.toFloatArray(), beta = bc.toFloatArray();
        double[] mean = new double[c], invStd = new double[c], batchVar = new double[c];
        float[] out = StepArena.scratch(n * c * per); // every element written
        byte[] cell = StepArena.bytes(out.length); // every element written
        long minChannels = (Parallel.MIN_ELEMENTS_PER_THREAD + m - 1) / m;
        boolean vector2x2 = kh == 2 && kw == 2 && MaxPool2x2.available();
        // the input gradient straight from the pooled gradient, without a plane of the pool's gradient
        boolean direct = vector2x2 && MaxPool2x2.affineFits(h, w);
        boolean wholeVectors = vector2x2 && s % Simd.LANES == 0; // PlaneOps.affine has no scalar tail on a plane
        Parallel.forRange(c, minChannels, (part, from, to) -> {
            float[] plane = MaxPool2d.threadScratch(0, s); // one normalised image plane; cells outside every window are never read
            for (int ch = from; ch < to; ch++) {
                double mu, var;
                if (training) {
                    mu = BatchNorm.channelMean(xd, xOff, n, c, s, ch);
                    var = BatchNorm.channelVariance(xd, xOff, n, c, s, ch, mu);
                } else {
                    mu = runningMean.get(ch);
                    var = runningVar.get(ch);
                }
                mean[ch] = mu;
                batchVar[ch] = var;
                invStd[ch] = 1 / Math.sqrt(var + eps);
                double a = invStd[ch] * gamma[ch];
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    if (wholeVectors) { // normalised in registers as pooled: no plane of them
                        MaxPool2x2.forwardAffineRelu(xd, xOff + p * s, h, w, out, cell, p * per, (float) mu, (float) a, beta[ch]);
                        continue;
                    }
                    PlaneOps.affine(xd, xOff + p * s, plane, 0, s, (float) mu, (float) a, beta[ch]);
                    if (vector2x2) {
                        MaxPool2x2.forwardRelu(plane, 0, h, w, out, cell, p * per);
                    } else {
                        MaxPool2d.tiledPlane(plane, 0, h, w, kh, kw, out, cell, p * per);
                        reluMarking(out, cell, p * per, per);
                    }
                }
            }
        });
        if (training && runningMean != null && runningVar != null) BatchNorm.updateRunning(runningMean, runningVar, mean, batchVar, m, momentum);

        return Tensor.fromOperation(out, os, "batchNormReluPool", g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            float[] dx = xc.requiresGrad() ? StepArena.scratch(n * cs) : null; // every element written
            float[] dGamma = new float[c], dBeta = new float[c];
            Parallel.forRange(c, minChannels, (part, from, to) -> {
                // the batch-norm output's gradient of one plane: 0 off the windows' winning cells (and outside every window)
                float[] gy = MaxPool2d.threadScratch(0, s);
                java.util.Arrays.fill(gy, 0, s, 0f); // the cells outside every window are never written
                double[] sums = new double[2];
                for (int ch = from; ch < to; ch++) {
                    double mu = mean[ch], is = invStd[ch];
                    sums[0] = sums[1] = 0;
                    for (int i = 0; i < n; i++) {
                        int p = i * c + ch;
                        spread(gd, gOff, cell, p, per, h, w, kh, kw, vector2x2, gy);
                        PlaneOps.gradientSums(gy, 0, xd, xOff + p * s, s, (float) mu, sums);
                    }
                    double sumG = sums[0], sumGXhat = sums[1] * is;
                    dGamma[ch] = (float) sumGXhat;
                    dBeta[ch] = (float) sumG;
                    if (dx == null) continue;
                    double a = is * gamma[ch];
                    double meanG = training ? sumG / m : 0;
                    double meanGXhat = training ? sumGXhat / m : 0;
                    double b = -a * is * meanGXhat, c0 = -a * meanG;
                    for (int i = 0; i < n; i++) {
                        int p = i * c + ch;
                        if (direct) {
                            MaxPool2x2.backwardAffine(gd, gOff + p * per, cell, p * per, h, w, xd, xOff + p * s, dx, p * s,
                                    (float) mu, (float) a, (float) b, (float) c0);
                            affine2Tail(gd, gOff, cell, p, per, h, w, xd, xOff, dx, s, (float) mu, (float) a, (float) b, (float) c0);
                        } else {
                            spread(gd, gOff, cell, p, per, h, w, kh, kw, vector2x2, gy);
                            PlaneOps.affine2(gy, 0, xd, xOff + p * s, dx, p * s, s, (float) mu, (float) a, (float) b, (float) c0);
                        }
                    }
                }
            });
            return new Tensor[] {dx == null ? null : Tensor.wrap(dx, xs), Tensor.wrap(dGamma, c), Tensor.wrap(dBeta, c)};
        }, xc, wc, bc);
    }

    /**
     * ReLU on one plane's pooled values out[off .. off+len) (the bits of {@code PlaneOps.relu}), each
     * window it zeroes (maximum not &gt; 0, NaN included) marked in its cell by the sign bit (the
     * code minus 128; codes are below 128 for windows of up to 128 cells), as
     * {@link MaxPool2x2#forwardRelu} does: the backward pass then needs the cells alone, not the output.
     */
    private static void reluMarking(float[] out, byte[] cell, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!(out[i] > 0)) {
                out[i] = 0f;
                cell[i] = (byte) (cell[i] - 128);
            }
        }
    }

    /**
     * Plane p's pooled gradient through ReLU (times 0 on a marked window, as {@code PlaneOps.reluMask}
     * multiplies: the same bits) and back through the pool onto its winning cells of {@code gy},
     * 0 onto the other cells of each window.
     */
    private static void spread(float[] gd, int gOff, byte[] cell, int p, int per, int h, int w, int kh, int kw, boolean vector2x2,
                               float[] gy) {
        if (vector2x2) {
            MaxPool2x2.backwardRelu(gd, gOff + p * per, cell, p * per, h, w, gy, 0);
            return;
        }
        int ow = w / kw;
        for (int q = 0; q < per; q++) {
            int code = cell[p * per + q], at = code & 0x7f, x0 = (q / ow) * kh * w + (q % ow) * kw;
            float v = gd[gOff + p * per + q] * (code < 0 ? 0f : 1f);
            for (int i = 0, k = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, k++) gy[x0 + i * w + j] = k == at ? v : 0f;
            }
        }
    }

    /**
     * The cells of plane p that {@code PlaneOps.affine2} computes in its scalar tail (the last
     * s mod lanes), redone after {@link MaxPool2x2#backwardAffine} by that tail's formula: 2×2
     * windows tiling the plane, with the gradient {@link #spread} would put there.
     */
    private static void affine2Tail(float[] gd, int gOff, byte[] cell, int p, int per, int h, int w, float[] xd, int xOff,
                                    float[] dx, int s, float center, float a, float b, float c) {
        int ow = w / 2;
        for (int i = s - s % Simd.LANES; i < s; i++) {
            int row = i / w, col = i % w, q = p * per + (row / 2) * ow + col / 2;
            int code = cell[q], at = code & 0x7f;
            float gy = at == (row % 2) * 2 + col % 2 ? gd[gOff + q] * (code < 0 ? 0f : 1f) : 0f;
            dx[p * s + i] = gy * a + ((xd[xOff + p * s + i] - center) * b + c);
        }
    }
}
