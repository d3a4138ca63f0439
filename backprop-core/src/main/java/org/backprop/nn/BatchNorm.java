package org.backprop.nn;

import java.util.ArrayList;
import java.util.List;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.PlaneOps;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Batch normalisation, shared by {@link BatchNorm1d} and {@link BatchNorm2d}: each channel c of
 * an input [N, C, *] is normalised, y = γ_c·(x − μ_c)/√(σ²_c + ε) + β_c.
 *
 * <p>In training mode μ and σ² are the batch's mean and biased variance over every axis but the
 * channel, and the running estimates move towards them:
 * running = (1 − momentum)·running + momentum·batch, with the <em>unbiased</em> variance
 * (·M/(M − 1), M values per channel), as PyTorch does. In evaluation mode the running estimates
 * are used instead, so a prediction does not depend on the rest of its batch. The running
 * statistics are buffers named as in PyTorch's state_dict: running_mean, running_var,
 * num_batches_tracked.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {
    public final int numFeatures;
    public final float eps;
    public final float momentum;
    public final Parameter weight;          // [C], γ, starts at 1
    public final Parameter bias;            // [C], β, starts at 0
    public final Tensor runningMean;        // [C], starts at 0
    public final Tensor runningVar;         // [C], starts at 1
    public final Tensor numBatchesTracked;  // [], training steps seen
    private BatchStatistics synchronised;   // null: the statistics of the batch this layer sees

    /**
     * Combines a training batch's statistics across the slices of a batch that is split over
     * several machines (synchronised batch normalisation, as backprop-spark does): each slice
     * offers its sums and receives the whole batch's, so that every slice normalises, and
     * back-propagates, exactly as one machine holding the whole batch would.
     */
    public interface BatchStatistics {
        /**
         * This slice's value count per channel and per-channel sums of x and x² → the whole batch's
         * statistics; {@code backward} says whether {@link Combined#combineGradients} will be called
         * (only when x needs a gradient).
         */
        Combined combine(long count, double[] sum, double[] sumSquares, boolean backward);

        /** The whole batch's statistics, and the combination its backward pass needs. */
        interface Combined {
            long count();
            double[] mean();
            double[] variance(); // biased, as a batch's
            /** This slice's per-channel sums of the output gradient g and of g·x̂ → the whole batch's {Σg, Σg·x̂}. */
            double[][] combineGradients(double[] sumG, double[] sumGXhat);
        }
    }

    BatchNorm(int numFeatures, float eps, float momentum) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got " + numFeatures);
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": need eps > 0 and momentum in [0, 1], got eps="
                    + eps + ", momentum=" + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(numFeatures)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(numFeatures)));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        this.runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.zeros());
    }

    /** Normalises a checked input of layout [N, C, S]; the subclasses check the rank and channel count. */
    final Tensor normalize(Tensor x) {
        Tensor y = batchNorm(x, runningMean, runningVar, weight.value(), bias.value(), isTraining(), momentum, eps,
                getClass().getSimpleName() + "(" + numFeatures + ")", synchronised);
        if (isTraining()) numBatchesTracked.array()[0]++;
        return y;
    }

    /**
     * This layer followed by ReLU and a max-pool over tiling windows, as one pass over the
     * activations (see {@link BatchNormReluPool}); the separate layers' path when the statistics
     * are synchronised across machines.
     */
    final Tensor normalizeReluPool(Tensor x, Window2d pool) {
        int[] s = x.shape();
        if (synchronised != null || !MaxPool2d.tiles(pool) || s.length != 4 || s[1] != numFeatures) return MaxPool2d.reluMaxPool2d(forward(x), pool);
        Tensor y = BatchNormReluPool.apply(x, runningMean, runningVar, weight.value(), bias.value(), isTraining(), momentum, eps,
                getClass().getSimpleName() + "(" + numFeatures + ")", pool);
        if (isTraining()) numBatchesTracked.array()[0]++;
        return y;
    }

    /** Takes training statistics from {@code statistics} from now on ({@code null}: from the batch seen, the default). */
    public final void synchronise(BatchStatistics statistics) {
        this.synchronised = statistics;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
    }

    /**
     * Batch normalisation as a function of x [N, C, *] (any number of trailing axes, including none).
     * In training, batch statistics are used and, when {@code runningMean}/{@code runningVar} are
     * given, updated in place; otherwise the running statistics are used. {@code weight} and
     * {@code bias} ([C]) may be {@code null} for no affine step. Differentiable in x, weight, bias.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, float momentum, float eps) {
        return batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, "batchNorm", null);
    }

    /** {@link #batchNorm} with the name errors should give (the layer's). */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, float momentum, float eps, String name, BatchStatistics sync) {
        int[] xs = x.shape();
        if (xs.length < 2) throw new IllegalArgumentException(name + ": expected input [N, C, *], got " + Shape.str(xs));
        int spatial = 1;
        for (int i = 2; i < xs.length; i++) spatial *= xs[i];
        int n = xs[0], c = xs[1], s = spatial;
        long local = (long) n * s; // values per channel
        if (training && sync == null && local <= 1) {
            throw new IllegalArgumentException(name + ": expected more than 1 value per channel when training, got input "
                    + Shape.str(xs));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalStateException(name + ": evaluation mode needs running statistics");
        }
        for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException(name + ": per-channel tensor of shape " + Shape.str(t.shape())
                        + " does not match the " + c + " channels of input " + Shape.str(xs));
            }
        }
        Tensor xc = x.contiguous();
        Tensor wc = weight == null ? null : weight.contiguous();
        Tensor bc = bias == null ? null : bias.contiguous();
        float[] xd = xc.array();
        int xOff = xc.offset();
        float[] gamma = wc == null ? null : wc.toFloatArray();
        float[] beta = bc == null ? null : bc.toFloatArray();
        int cs = c * s;
        BatchStatistics.Combined whole = training && sync != null ? combine(sync, xd, xOff, n, c, s, name, xc.requiresGrad()) : null;
        long m = whole == null ? local : whole.count();

        double[] mean = new double[c];
        double[] invStd = new double[c];
        double[] batchVar = new double[c];
        float[] out = StepArena.scratch(n * cs); // every element written
        long perChannel = Math.max(1, (long) n * s);
        long minChannels = (Parallel.MIN_ELEMENTS_PER_THREAD + perChannel - 1) / perChannel;
        // Per channel: a pass for the mean, one for the variance about it (no cancellation when
        // the mean is large), one writing y = x·a + shift; each a vector loop over image planes.
        Parallel.forRange(c, minChannels, (part, from, to) -> {
            for (int ch = from; ch < to; ch++) {
                double mu, var;
                if (whole != null) {
                    mu = whole.mean()[ch];
                    var = whole.variance()[ch];
                } else if (training) {
                    mu = channelMean(xd, xOff, n, c, s, ch);
                    var = channelVariance(xd, xOff, n, c, s, ch, mu);
                } else {
                    mu = runningMean.get(ch);
                    var = runningVar.get(ch);
                }
                mean[ch] = mu;
                batchVar[ch] = var;
                invStd[ch] = 1 / Math.sqrt(var + eps);
                double a = invStd[ch] * (gamma == null ? 1 : gamma[ch]);
                float b = beta == null ? 0f : beta[ch];
                for (int i = 0; i < n; i++) {
                    PlaneOps.affine(xd, xOff + i * cs + ch * s, out, i * cs + ch * s, s, (float) mu, (float) a, b);
                }
            }
        });
        if (training && runningMean != null && runningVar != null) updateRunning(runningMean, runningVar, mean, batchVar, m, momentum);

        List<Tensor> operands = new ArrayList<>(List.of(xc));
        if (wc != null) operands.add(wc);
        if (bc != null) operands.add(bc);
        Tensor[] inputs = operands.toArray(Tensor[]::new);
        return Tensor.fromOperation(out, xs, "batchNorm", g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            float[] dx = xc.requiresGrad() ? StepArena.scratch(n * cs) : null; // every element written
            float[] dGamma = new float[c];
            float[] dBeta = new float[c];
            double[][] wholeSums = whole != null && dx != null ? combineGradients(whole, gd, gOff, xd, xOff, mean, invStd, n, c, s) : null;
            Parallel.forRange(c, minChannels, (part, from, to) -> {
                double[] sums = new double[2];
                for (int ch = from; ch < to; ch++) {
                    double mu = mean[ch], is = invStd[ch];
                    sums[0] = sums[1] = 0;
                    for (int i = 0; i < n; i++) {
                        PlaneOps.gradientSums(gd, gOff + i * cs + ch * s, xd, xOff + i * cs + ch * s, s, (float) mu, sums);
                    }
                    double sumG = sums[0], sumGXhat = sums[1] * is;
                    dGamma[ch] = (float) sumGXhat;
                    dBeta[ch] = (float) sumG;
                    if (dx == null) continue;
                    double a = is * (gamma == null ? 1 : gamma[ch]);
                    // In training μ and σ² depend on x too: subtract the gradient's mean and its projection on x̂.
                    // dx = a·(g − mean(g) − x̂·mean(g·x̂)) with x̂ = (x − μ)·is, as g·a + (x − μ)·b + c:
                    double meanG = training ? (wholeSums == null ? sumG : wholeSums[0][ch]) / m : 0;
                    double meanGXhat = training ? (wholeSums == null ? sumGXhat : wholeSums[1][ch]) / m : 0;
                    double b = -a * is * meanGXhat, c0 = -a * meanG;
                    for (int i = 0; i < n; i++) {
                        PlaneOps.affine2(gd, gOff + i * cs + ch * s, xd, xOff + i * cs + ch * s, dx, i * cs + ch * s, s,
                                (float) mu, (float) a, (float) b, (float) c0);
                    }
                }
            });
            List<Tensor> grads = new ArrayList<>();
            grads.add(dx == null ? null : Tensor.wrap(dx, xs));
            if (wc != null) grads.add(Tensor.wrap(dGamma, c));
            if (bc != null) grads.add(Tensor.wrap(dBeta, c));
            return grads.toArray(Tensor[]::new);
        }, inputs);
    }

    /** A training batch's mean of channel ch of x [N, C, S] (at xOff): a vector pass over each image's plane. */
    static double channelMean(float[] xd, int xOff, int n, int c, int s, int ch) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += PlaneOps.sum(xd, xOff + (i * c + ch) * s, s);
        return sum / ((long) n * s);
    }

    /** The biased variance of channel ch about its mean mu: a second pass, free of cancellation when the mean is large. */
    static double channelVariance(float[] xd, int xOff, int n, int c, int s, int ch, double mu) {
        double sq = 0;
        for (int i = 0; i < n; i++) sq += PlaneOps.sumSquaredDeviations(xd, xOff + (i * c + ch) * s, s, (float) mu);
        return sq / ((long) n * s);
    }

    /** running = (1 − momentum)·running + momentum·batch, the variance unbiased (·m/(m − 1)), as PyTorch. */
    static void updateRunning(Tensor runningMean, Tensor runningVar, double[] mean, double[] batchVar, long m, float momentum) {
        float[] rm = runningMean.array(), rv = runningVar.array();
        int rmOff = runningMean.offset(), rvOff = runningVar.offset();
        int rmStride = runningMean.strides()[0], rvStride = runningVar.strides()[0];
        for (int ch = 0; ch < mean.length; ch++) {
            rm[rmOff + ch * rmStride] = (float) ((1 - momentum) * rm[rmOff + ch * rmStride] + momentum * mean[ch]);
            rv[rvOff + ch * rvStride] = (float) ((1 - momentum) * rv[rvOff + ch * rvStride] + momentum * batchVar[ch] * m / (m - 1));
        }
    }

    /** A slice's sums handed to {@code sync}; the whole batch's statistics back (after checking they fit). */
    private static BatchStatistics.Combined combine(BatchStatistics sync, float[] xd, int xOff, int n, int c, int s, String name,
                                                    boolean backward) {
        double[] sum = new double[c], squares = new double[c];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) {
                sum[ch] += PlaneOps.sum(xd, xOff + (i * c + ch) * s, s);
                squares[ch] += PlaneOps.sumSquaredDeviations(xd, xOff + (i * c + ch) * s, s, 0f);
            }
        }
        BatchStatistics.Combined whole = sync.combine((long) n * s, sum, squares, backward);
        if (whole.count() <= 1) {
            throw new IllegalArgumentException(name + ": expected more than 1 value per channel when training, got "
                    + whole.count() + " over the whole batch");
        }
        return whole;
    }

    /** A slice's per-channel Σg and Σg·x̂ (with the whole batch's x̂), combined by the whole batch's statistics. */
    private static double[][] combineGradients(BatchStatistics.Combined whole, float[] gd, int gOff, float[] xd, int xOff,
                                               double[] mean, double[] invStd, int n, int c, int s) {
        double[] sumG = new double[c], sumGXhat = new double[c], sums = new double[2];
        for (int ch = 0; ch < c; ch++) {
            sums[0] = sums[1] = 0;
            for (int i = 0; i < n; i++) {
                PlaneOps.gradientSums(gd, gOff + (i * c + ch) * s, xd, xOff + (i * c + ch) * s, s, (float) mean[ch], sums);
            }
            sumG[ch] = sums[0];
            sumGXhat[ch] = sums[1] * invStd[ch];
        }
        return whole.combineGradients(sumG, sumGXhat);
    }
}
