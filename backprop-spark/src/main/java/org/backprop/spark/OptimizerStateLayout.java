package org.backprop.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Where each entry of an optimizer's {@link Optimizer#stateDict()} sits in a flat float array,
 * for averaging optimizer state in local SGD. The layout holds every key the optimizer can have
 * (found by a probe step in which every parameter has a gradient); a partition whose copy lacks a
 * key contributes nothing to it, and each key is averaged over the copies that have it.
 *
 * @param keys    state-dict keys
 * @param shapes  shape of each entry
 * @param offsets start of each entry in the flat array
 * @param length  total number of floats
 */
record OptimizerStateLayout(String[] keys, int[][] shapes, int[] offsets, int length) implements Serializable {

    static OptimizerStateLayout of(Map<String, Tensor> state) {
        int n = state.size();
        String[] keys = new String[n];
        int[][] shapes = new int[n][];
        int[] offsets = new int[n];
        long at = 0;
        int i = 0;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            keys[i] = e.getKey();
            shapes[i] = e.getValue().shape();
            offsets[i] = (int) at;
            at += e.getValue().numel();
            i++;
        }
        if (at > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("optimizer state has " + at + " values, more than one Java array holds");
        return new OptimizerStateLayout(keys, shapes, offsets, (int) at);
    }

    /** Flattens a state dict (any subset of this layout's keys), with a presence mark per key. */
    static Flat flatten(Map<String, Tensor> state) {
        OptimizerStateLayout l = of(state);
        float[] values = new float[l.length];
        int i = 0;
        for (Tensor t : state.values()) {
            System.arraycopy(t.toFloatArray(), 0, values, l.offsets[i++], t.numel());
        }
        return new Flat(l, values);
    }

    /** A state dict in flat form, as it is broadcast. */
    @com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
    record Flat(OptimizerStateLayout layout, float[] values) implements Serializable {
        Map<String, Tensor> toStateDict() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int i = 0; i < layout.keys.length; i++) {
                int n = Shape.numel(layout.shapes[i]);
                out.put(layout.keys[i], Tensor.wrap(Arrays.copyOfRange(values, layout.offsets[i], layout.offsets[i] + n), layout.shapes[i]));
            }
            return out;
        }
    }

    /**
     * Adds {@code weight}·state into {@code out[base ...]} and {@code weight} into the key's
     * presence slot {@code out[presenceBase + key]}.
     */
    void accumulate(Map<String, Tensor> state, float weight, float[] out, int base, int presenceBase) {
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < keys.length; i++) index.put(keys[i], i);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Integer i = index.get(e.getKey());
            if (i == null) {
                throw new IllegalStateException("local SGD: the optimizer copy has state '" + e.getKey()
                        + "' that the probe step did not create; known keys: " + Arrays.toString(keys));
            }
            float[] v = e.getValue().toFloatArray();
            int off = base + offsets[i];
            for (int j = 0; j < v.length; j++) out[off + j] += v[j] * weight;
            out[presenceBase + i] += weight;
        }
    }

    /**
     * The average state from summed weighted values and presence weights: each key divided by its
     * presence, step counts rounded to whole numbers; keys no copy had are left out.
     */
    Map<String, Tensor> average(float[] sum, int base, int presenceBase) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) {
            float w = sum[presenceBase + i];
            if (w <= 0) continue;
            int n = Shape.numel(shapes[i]);
            float[] v = new float[n];
            for (int j = 0; j < n; j++) v[j] = sum[base + offsets[i] + j] / w;
            if (isStepCount(keys[i])) for (int j = 0; j < n; j++) v[j] = Math.round(v[j]);
            out.put(keys[i], Tensor.wrap(v, shapes[i]));
        }
        return out;
    }

    private static boolean isStepCount(String key) {
        return key.equals("step") || key.endsWith(".step");
    }

    /**
     * Every key the copies built by {@code factory} can have: a copy for {@code model} (a throwaway
     * replica) takes one step with a zero gradient for every parameter, which creates all its state.
     * Also checks the factory builds the driver's kind of optimizer.
     */
    static OptimizerStateLayout probe(org.backprop.nn.Module model, OptimizerFactory factory, org.backprop.optim.Optimizer driver,
            String what) {
        org.backprop.optim.Optimizer probe = factory.create(model.parameters());
        if (probe == null || probe.getClass() != driver.getClass()) {
            throw new IllegalArgumentException(what + ": the optimizer factory builds " + (probe == null ? "null" : probe.getClass().getSimpleName())
                    + " but the driver trains with " + driver.getClass().getSimpleName() + "; they must be the same kind (and options)");
        }
        for (org.backprop.nn.Parameter p : model.parameters()) p.value().accumulateGrad(Tensor.zeros(p.shape()));
        probe.step();
        return of(probe.stateDict());
    }
}
