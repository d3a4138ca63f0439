package org.backprop.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.backprop.tensor.Tensor;

/**
 * Compares the gradients autograd computes with central finite differences, as
 * {@code torch.autograd.gradcheck} does. The function's output is projected onto fixed random
 * weights w, L = Σ wᵢ·outᵢ (summed in double), so one backward pass checks every output at once.
 *
 * <p>The tensors are float32, so the difference quotient is taken with a fairly large step
 * (default 1e-2) and refined by Richardson extrapolation, (4·D(h/2) − D(h)) / 3, which cancels
 * the h² error term: the result agrees with the true derivative to about 1e-4 relative for
 * smooth functions. Keep test inputs away from kinks (ReLU at 0, ties in max); where that cannot
 * be done (a whole network, whose first-layer weights move thousands of ReLU and max-pool inputs),
 * {@link #compareHeld} takes the differences of the function with its switches held instead.
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double DEFAULT_STEP = 1e-2;
    public static final double DEFAULT_ATOL = 1e-3;
    public static final double DEFAULT_RTOL = 1e-2;

    /** How often {@link #compare} quarters the step to stay clear of a kink. */
    private static final int MAX_SHRINKS = 2;

    /** Checks with the default step and tolerances; throws {@link AssertionError} on a mismatch. */
    public static double check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, DEFAULT_STEP, DEFAULT_ATOL, DEFAULT_RTOL, inputs);
    }

    /**
     * @return the largest error found, |numeric − analytic| / (atol + rtol·|numeric|) (≤ 1 passes)
     * @throws AssertionError naming the input, element, and both values at the first mismatch
     */
    public static double check(Function<Tensor[], Tensor> f, double step, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (!t.isDense()) throw new IllegalArgumentException("gradcheck: inputs must be dense tensors");
        }
        double[] w = projectionWeights(f, inputs);
        backwardProjected(f, inputs, w);

        double worst = 0;
        for (int n = 0; n < inputs.length; n++) {
            Tensor x = inputs[n];
            if (!x.requiresGrad()) continue;
            float[] data = x.array();
            float[] analytic = x.grad() == null ? new float[data.length] : x.grad().toFloatArray();
            for (int i = 0; i < data.length; i++) {
                float original = data[i];
                double d1 = difference(f, inputs, w, data, i, original, step);
                double d2 = difference(f, inputs, w, data, i, original, step / 2);
                data[i] = original;
                double numeric = (4 * d2 - d1) / 3;
                double err = Math.abs(numeric - analytic[i]) / (atol + rtol * Math.abs(numeric));
                if (!(err <= 1.0)) {
                    throw new AssertionError(String.format(
                            "gradcheck: input %d %s, element %d (value %g): autograd gives %.6g, finite differences %.6g",
                            n, org.backprop.tensor.Shape.str(x.shape()), i, original, analytic[i], numeric));
                }
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    /**
     * What {@link #compare} found for one input.
     *
     * @param checked      the number of elements compared
     * @param skipped      elements not compared because a finite-difference step left the piece the point lies in
     * @param maxError     the largest |numeric − analytic| / (atol + rtol·|numeric|) among the compared elements
     *                     (≤ 1 passes; NaN when a value was not finite)
     * @param worstElement the flat index of that element, or -1 when none was compared
     * @param analytic     autograd's derivative at that element
     * @param numeric      the finite-difference derivative at that element
     */
    public record Comparison(int checked, int skipped, double maxError, int worstElement, double analytic,
                             double numeric) {
        /** Whether every compared element was within tolerance. */
        public boolean passed() {
            return maxError <= 1.0; // false for NaN
        }
    }

    /**
     * Measures instead of asserting, and only where asked: like {@link #check}, but compares input
     * {@code n} only at the flat indices {@code elements.get(n)} (every element when that entry is
     * {@code null}), and returns the worst error per input rather than throwing. Large networks
     * are checked on a sample of elements this way, since each element costs four forward passes.
     *
     * <p>A piecewise function (a ReLU network) has kinks, and a difference quotient whose step
     * crosses one measures a mix of two slopes, not the derivative at the point. When
     * {@code piece} is given, it names the piece the inputs lie in (for a ReLU network: which
     * units are active). For an element whose perturbed inputs land in another piece than the
     * unperturbed ones, the step is quartered up to twice; if even that crosses the kink, the
     * element is skipped and counted rather than compared. A point exactly on a kink is
     * the caller's to detect: there every step leaves the point's piece.
     *
     * @param piece    maps the inputs to a value that is {@code equals} within one smooth piece, or {@code null}
     * @param elements one entry per input: indices to compare, or {@code null} for all
     * @return one comparison per input; an input that does not require grad is reported with 0 checked
     */
    public static List<Comparison> compare(Function<Tensor[], Tensor> f, Function<Tensor[], ?> piece, double step,
                                           double atol, double rtol, List<int[]> elements, Tensor... inputs) {
        return compare(f, f, piece, step, atol, rtol, elements, inputs);
    }

    /**
     * Like {@link #compare}, but takes the finite differences of {@code held} instead of {@code f}:
     * {@code f} with each of its switches (a ReLU's side of the kink, a max-pool's chosen cell)
     * held where it is at the inputs. Both have the same value and derivative at the inputs, but
     * {@code held} stays on the inputs' piece for any step, so a step that crosses a kink still
     * measures the derivative at the point instead of a mix of two slopes. A switch exactly at
     * its kink (a ReLU input of exactly 0) has no side to hold: {@code held} should leave it free,
     * and the caller should say that no derivative exists there.
     *
     * @throws IllegalArgumentException if {@code held} and {@code f} differ at the inputs
     */
    public static List<Comparison> compareHeld(Function<Tensor[], Tensor> f, Function<Tensor[], Tensor> held,
                                               double step, double atol, double rtol, List<int[]> elements,
                                               Tensor... inputs) {
        float[] a, b;
        try (var s = GradMode.noGrad()) {
            a = f.apply(inputs).toFloatArray();
            b = held.apply(inputs).toFloatArray();
        }
        if (a.length != b.length) {
            throw new IllegalArgumentException("gradcheck: the held function gives " + b.length + " outputs, the function "
                    + a.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-6 * Math.max(1, Math.abs(a[i])))) {
                throw new IllegalArgumentException("gradcheck: the held function differs from the function at the inputs, "
                        + "output " + i + ": " + b[i] + " instead of " + a[i]);
            }
        }
        return compare(f, held, null, step, atol, rtol, elements, inputs);
    }

    private static List<Comparison> compare(Function<Tensor[], Tensor> f, Function<Tensor[], Tensor> numeric,
                                            Function<Tensor[], ?> piece, double step, double atol, double rtol,
                                            List<int[]> elements, Tensor... inputs) {
        if (elements.size() != inputs.length) {
            throw new IllegalArgumentException("gradcheck: " + elements.size() + " element lists for " + inputs.length
                    + " inputs");
        }
        for (Tensor t : inputs) {
            if (!t.isDense()) throw new IllegalArgumentException("gradcheck: inputs must be dense tensors");
        }
        double[] w = projectionWeights(f, inputs);
        backwardProjected(f, inputs, w);
        Object home = piece == null ? null : pieceOf(piece, inputs);
        List<Comparison> results = new ArrayList<>();
        for (int n = 0; n < inputs.length; n++) {
            Tensor x = inputs[n];
            if (!x.requiresGrad()) {
                results.add(new Comparison(0, 0, 0, -1, Double.NaN, Double.NaN));
                continue;
            }
            float[] data = x.array();
            float[] analytic = x.grad() == null ? new float[data.length] : x.grad().toFloatArray();
            int[] chosen = elements.get(n);
            int count = chosen == null ? data.length : chosen.length;
            int compared = 0, skipped = 0;
            double worst = 0, worstAnalytic = Double.NaN, worstNumeric = Double.NaN;
            int worstAt = -1;
            for (int k = 0; k < count; k++) {
                int i = chosen == null ? k : chosen[k];
                float original = data[i];
                double h = step;
                if (piece != null) {
                    // a kink close by: try smaller steps (float32 rounding grows as 1/h, so not much smaller)
                    for (int shrink = 0; h > 0 && leavesPiece(piece, home, inputs, data, i, original, h); shrink++) {
                        h = shrink < MAX_SHRINKS ? h / 4 : 0;
                    }
                    if (h == 0) {
                        skipped++;
                        continue;
                    }
                }
                double d1 = difference(numeric, inputs, w, data, i, original, h);
                double d2 = difference(numeric, inputs, w, data, i, original, h / 2);
                data[i] = original;
                double estimate = (4 * d2 - d1) / 3;
                double err = Math.abs(estimate - analytic[i]) / (atol + rtol * Math.abs(estimate));
                compared++;
                // a NaN error (a non-finite value) counts as the worst, and the first one stays reported
                if (worstAt < 0 || (!Double.isNaN(worst) && (Double.isNaN(err) || err > worst))) {
                    worst = err;
                    worstAt = i;
                    worstAnalytic = analytic[i];
                    worstNumeric = estimate;
                }
            }
            results.add(new Comparison(compared, skipped, worst, worstAt, worstAnalytic, worstNumeric));
        }
        return results;
    }

    /** Whether any of the four probes of element i (±step, ±step/2) lies in another piece than {@code home}. */
    private static boolean leavesPiece(Function<Tensor[], ?> piece, Object home, Tensor[] inputs, float[] data, int i,
                                       float original, double step) {
        try {
            for (double h : new double[] {step, -step, step / 2, -step / 2}) {
                data[i] = (float) (original + h);
                if (!home.equals(pieceOf(piece, inputs))) return true;
            }
            return false;
        } finally {
            data[i] = original;
        }
    }

    private static Object pieceOf(Function<Tensor[], ?> piece, Tensor[] inputs) {
        try (var s = GradMode.noGrad()) {
            return piece.apply(inputs);
        }
    }

    /** Fixed positive, varied weights w for L = Σ wᵢ·outᵢ (no cancellation between outputs). */
    private static double[] projectionWeights(Function<Tensor[], Tensor> f, Tensor[] inputs) {
        Tensor probe;
        try (var s = GradMode.noGrad()) {
            probe = f.apply(inputs);
        }
        double[] w = new double[probe.numel()];
        Random rng = new Random(12345);
        for (int i = 0; i < w.length; i++) w[i] = 0.5 + rng.nextDouble();
        return w;
    }

    /** Autograd's gradient of L = Σ wᵢ·outᵢ into each input's {@code grad()}. */
    private static void backwardProjected(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] w) {
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) wf[i] = (float) w[i];
        for (Tensor t : inputs) t.clearGrad();
        Tensor out = f.apply(inputs);
        if (!out.requiresGrad()) {
            throw new AssertionError("gradcheck: the output does not depend on any input that requires grad");
        }
        out.mul(Tensor.wrap(wf, out.shape())).sum().backward();
    }

    private static double difference(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] w, float[] data,
                                     int i, float original, double h) {
        data[i] = (float) (original + h);
        double plus = project(f, inputs, w);
        data[i] = (float) (original - h);
        double minus = project(f, inputs, w);
        data[i] = original;
        double actualStep = ((double) (float) (original + h) - (double) (float) (original - h));
        return (plus - minus) / actualStep;
    }

    private static double project(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] w) {
        try (var s = GradMode.noGrad()) {
            float[] out = f.apply(inputs).toFloatArray();
            double sum = 0;
            for (int i = 0; i < out.length; i++) sum += w[i] * out[i];
            return sum;
        }
    }
}
