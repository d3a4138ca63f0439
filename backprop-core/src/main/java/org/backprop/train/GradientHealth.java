package org.backprop.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Recurrent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Callback} that watches the gradients during training: per epoch, each parameter's
 * gradient norm and the size of its updates relative to its weights ({@link GradientStats}), and
 * a {@link HealthWarning} with advice when gradients vanish or explode.
 * <pre>{@code
 * GradientHealth health = new GradientHealth(model).listener(w -> System.out.println(w.message()));
 * new Trainer(model, loss, optimizer).callback(health).fit(data, config);
 * health.epochs();     // what was measured, epoch by epoch
 * }</pre>
 *
 * <p>Add it before any callback that changes the gradients (clipping), so that it sees them as
 * backpropagation produced them. The update ratio ‖Δw‖/‖w‖ is measured around the optimizer's
 * step: the weights are copied in {@link #beforeStep} and compared in {@link #onBatchEnd}.
 *
 * <p>Checks, each warned about once per run (and logged through SLF4J at WARN):
 * <ul>
 *   <li>vanishing: at the end of an epoch, the smallest mean gradient norm of a layer weight lies
 *       {@link #VANISHING_ORDERS} or more orders of magnitude below that of a later layer;</li>
 *   <li>exploding: at any step, the norm of all gradients together reaches {@link #EXPLODING_NORM}.
 *       Checked per step, not per epoch, because an explosion usually ends the epoch with a
 *       {@link TrainingDivergedException} before the epoch's end is reached.</li>
 * </ul>
 * Layer weights are the two-dimensional parameters whose name ends in {@code weight} (the weights
 * of {@code Linear} layers); biases start at zero and are compared with nothing.
 *
 * <p>Recurrent layers ({@link Recurrent}) also report the gradient reaching each time step,
 * ‖∂L/∂h_t‖ of every layer and direction, averaged over the epoch's backward passes
 * ({@link #stepGradientNorms}): how far back through time the error signal still arrives.
 */
public final class GradientHealth implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(GradientHealth.class);

    /**
     * Orders of magnitude between the gradient norms of an early and a later layer that count as
     * vanishing. Xavier and He initialisation are designed to keep layer gradients of the same
     * order; in healthy networks they stay within one or two orders of each other (weight
     * matrices of different shapes differ by the square root of their sizes). A thousandfold gap
     * means the early layers learn a thousand times slower than the later ones.
     */
    public static final double VANISHING_ORDERS = 3;

    /**
     * Global gradient norm that counts as exploding. With losses averaged over the batch and inputs
     * of order 1, gradient norms stay around 0.01 to 10; a norm of a thousand moves the weights by
     * a thousand times the learning rate in one step, which is far beyond any sensible step size.
     */
    public static final double EXPLODING_NORM = 1e3;

    /** Receives each warning as it is found. */
    @FunctionalInterface
    public interface Listener {
        void onWarning(HealthWarning warning);
    }

    private final Map<Parameter, Integer> index = new IdentityHashMap<>();
    private final List<String> names;
    private final List<Integer> layerWeights = new ArrayList<>(); // indices into names
    private final List<Listener> listeners = new ArrayList<>();
    private final List<GradientStats> epochs = new ArrayList<>();
    private final List<HealthWarning> warnings = new ArrayList<>();
    private final Set<String> warned = new LinkedHashSet<>();

    // This epoch's running sums, per parameter index.
    private int epoch, steps;
    private double[] sumNorm, maxNorm, sumRatio;
    private int[] ratioCount;
    private double sumGlobal, maxGlobal;
    private float[][] before; // the weights just before the optimizer's step
    private List<Parameter> stepped;
    // Recurrent layers: per "module.l{k}[_reverse]", the sum of ‖∂L/∂h_t‖ over this epoch's backward passes, and their count.
    private final Map<String, double[]> stepSums = new LinkedHashMap<>();
    private final Map<String, Integer> stepCounts = new LinkedHashMap<>();
    private final List<Map<String, double[]>> stepEpochs = new ArrayList<>();

    /** Watches the parameters of {@code model}, named as in {@link Module#namedParameters()}. */
    public GradientHealth(Module model) {
        Map<String, Parameter> named = model.namedParameters();
        names = List.copyOf(named.keySet());
        int i = 0;
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            index.put(e.getValue(), i);
            if (e.getValue().shape().length == 2 && e.getKey().endsWith("weight")) layerWeights.add(i);
            i++;
        }
        int n = names.size();
        sumNorm = new double[n];
        maxNorm = new double[n];
        sumRatio = new double[n];
        ratioCount = new int[n];
        before = new float[n][];
        watchRecurrent("", model);
    }

    /** Asks every recurrent layer under {@code m} for its per-time-step gradient norms. */
    private void watchRecurrent(String path, Module m) {
        if (m instanceof Recurrent r) {
            r.stepGradients((layer, direction, norms) -> {
                String key = path + (path.isEmpty() ? "" : ".") + "l" + layer + (direction == 1 ? "_reverse" : "");
                double[] sum = stepSums.get(key);
                if (sum == null || sum.length != norms.length) {
                    stepSums.put(key, sum = new double[norms.length]);
                    stepCounts.put(key, 0);
                }
                for (int t = 0; t < norms.length; t++) sum[t] += norms[t];
                stepCounts.merge(key, 1, Integer::sum);
            });
        }
        for (Map.Entry<String, Module> e : m.children().entrySet()) {
            watchRecurrent(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue());
        }
    }

    /** "path.l{k}[_reverse]" as (path, k, reverse), zero-padded so that layer 10 sorts after layer 9. */
    private static String layerOrder(String key) {
        int l = key.lastIndexOf('l');
        String rest = key.substring(l + 1);
        boolean reverse = rest.endsWith("_reverse");
        int k = Integer.parseInt(reverse ? rest.substring(0, rest.length() - "_reverse".length()) : rest);
        return String.format(Locale.ROOT, "%s%06d%d", key.substring(0, l), k, reverse ? 1 : 0);
    }

    /**
     * Per finished epoch, per recurrent layer and direction ({@code "1.l0"}, {@code "1.l0_reverse"},
     * named by the module's path and the layer index), ‖∂L/∂h_t‖ for t = 1..T averaged over the
     * epoch's backward passes; empty maps for a model without recurrent layers.
     */
    public List<Map<String, double[]>> stepGradientNorms() {
        return List.copyOf(stepEpochs);
    }

    /** Adds a listener; listeners run in the order added, after the warning is logged. */
    public GradientHealth listener(Listener listener) {
        listeners.add(listener);
        return this;
    }

    /** The statistics of every finished epoch, in order. */
    public List<GradientStats> epochs() {
        return List.copyOf(epochs);
    }

    /** Every warning so far, in order. */
    public List<HealthWarning> warnings() {
        return List.copyOf(warnings);
    }

    /** Names of the layer weights compared for vanishing gradients, from the input to the output. */
    public List<String> layerWeightNames() {
        return layerWeights.stream().map(names::get).toList();
    }

    @Override
    public void onEpochStart(int epoch) {
        this.epoch = epoch;
        steps = 0;
        sumGlobal = maxGlobal = 0;
        java.util.Arrays.fill(sumNorm, 0);
        java.util.Arrays.fill(maxNorm, 0);
        java.util.Arrays.fill(sumRatio, 0);
        java.util.Arrays.fill(ratioCount, 0);
        stepSums.clear();
        stepCounts.clear();
    }

    @Override
    public void beforeStep(List<Parameter> parameters) {
        double global = 0;
        int worst = -1;
        double worstNorm = -1;
        for (Parameter p : parameters) {
            Integer i = index.get(p);
            if (i == null || p.grad() == null) continue;
            double norm = norm(p.grad().array());
            sumNorm[i] += norm;
            maxNorm[i] = Math.max(maxNorm[i], norm);
            global += norm * norm;
            if (norm > worstNorm) {
                worstNorm = norm;
                worst = i;
            }
            float[] w = p.data();
            if (before[i] == null || before[i].length != w.length) before[i] = new float[w.length];
            System.arraycopy(w, 0, before[i], 0, w.length);
        }
        stepped = parameters;
        global = Math.sqrt(global);
        sumGlobal += global;
        maxGlobal = Math.max(maxGlobal, global);
        steps++;
        if (global >= EXPLODING_NORM && worst >= 0) {
            warn(new HealthWarning(HealthWarning.Kind.EXPLODING, epoch, names.get(worst), global, String.format(Locale.ROOT,
                    "gradient norm %.1e at epoch %d, step %d (largest in %s, %.1e): exploding gradients — lower the "
                            + "learning rate or clip the gradient norm (--clip-norm)",
                    global, epoch, steps, names.get(worst), worstNorm)), "exploding");
        }
    }

    @Override
    public void onBatchEnd(StepInfo step) {
        if (stepped == null) return;
        for (Parameter p : stepped) {
            Integer i = index.get(p);
            if (i == null || p.grad() == null) continue;
            float[] w = p.data(), b = before[i];
            double diff = 0, base = 0;
            for (int k = 0; k < w.length; k++) {
                double d = (double) w[k] - b[k];
                diff += d * d;
                base += (double) b[k] * b[k];
            }
            if (base > 0) {
                sumRatio[i] += Math.sqrt(diff / base);
                ratioCount[i]++;
            }
        }
        stepped = null;
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        Map<String, Double> mean = new LinkedHashMap<>(), max = new LinkedHashMap<>(), ratio = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            mean.put(names.get(i), steps == 0 ? Double.NaN : sumNorm[i] / steps);
            max.put(names.get(i), maxNorm[i]);
            ratio.put(names.get(i), ratioCount[i] == 0 ? Double.NaN : sumRatio[i] / ratioCount[i]);
        }
        GradientStats stats = new GradientStats(epoch, steps, mean, max, ratio, steps == 0 ? Double.NaN : sumGlobal / steps,
                maxGlobal);
        epochs.add(stats);
        Map<String, double[]> means = new LinkedHashMap<>();
        // the backward pass reports the top layer first; list them from the input up
        stepSums.keySet().stream().sorted(java.util.Comparator.comparing(GradientHealth::layerOrder)).forEach(key -> {
            double[] avg = stepSums.get(key).clone();
            for (int t = 0; t < avg.length; t++) avg[t] /= stepCounts.get(key);
            means.put(key, avg);
        });
        stepEpochs.add(java.util.Collections.unmodifiableMap(means));
        checkVanishing(stats);
    }

    /** Warns when an early layer's gradient is orders of magnitude below a later layer's. */
    private void checkVanishing(GradientStats stats) {
        if (layerWeights.size() < 2) return;
        // The largest gradient, then the smallest one before it (on the way back to the input).
        int hi = -1;
        for (int k = 0; k < layerWeights.size(); k++) {
            if (hi < 0 || norm(stats, k) > norm(stats, hi)) hi = k;
        }
        int lo = -1;
        for (int k = 0; k < hi; k++) {
            if (lo < 0 || norm(stats, k) < norm(stats, lo)) lo = k;
        }
        if (lo < 0) return;
        double small = norm(stats, lo), large = norm(stats, hi);
        if (!(large > 0) || !(small * Math.pow(10, VANISHING_ORDERS) <= large)) return;
        String loName = names.get(layerWeights.get(lo)), hiName = names.get(layerWeights.get(hi));
        String gap = small == 0 ? "zero, while" : String.format(Locale.ROOT, "%.0f orders below", Math.log10(large / small));
        warn(new HealthWarning(HealthWarning.Kind.VANISHING, stats.epoch(), loName, small, String.format(Locale.ROOT,
                "layer %d (%s) gradient norm %.1e, %s layer %d (%s, %.1e): vanishing gradients — sigmoid saturation? "
                        + "try ReLU + He init or batch norm",
                lo + 1, loName, small, gap, hi + 1, hiName, large)), "vanishing");
    }

    private double norm(GradientStats stats, int layer) {
        return stats.meanGradNorm().get(names.get(layerWeights.get(layer)));
    }

    private void warn(HealthWarning w, String key) {
        if (!warned.add(key)) return;
        warnings.add(w);
        LOG.warn("{}", w.message());
        for (Listener l : listeners) l.onWarning(w);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
