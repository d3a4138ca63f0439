package org.backprop.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Where each tensor of a module's state (its {@link Module#stateDict()}: parameters, then
 * buffers, module by module) sits in one flat float array. That array is what crosses the
 * network: weights go out as a broadcast, gradients and averaged weights come back through
 * {@code treeReduce}, never a serialised module.
 *
 * @param names      state keys in {@code stateDict()} order
 * @param shapes     shape of each entry
 * @param offsets    start of each entry in the flat array
 * @param parameter  whether each entry is a trainable parameter (else a buffer)
 * @param length     total number of floats
 */
record StateLayout(String[] names, int[][] shapes, int[] offsets, boolean[] parameter, int length) implements Serializable {

    static StateLayout of(Module module) {
        Map<String, Tensor> state = module.stateDict();
        Map<String, Parameter> params = module.namedParameters();
        int n = state.size();
        String[] names = new String[n];
        int[][] shapes = new int[n][];
        int[] offsets = new int[n];
        boolean[] isParam = new boolean[n];
        long at = 0;
        int i = 0;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            names[i] = e.getKey();
            shapes[i] = e.getValue().shape();
            offsets[i] = (int) at;
            isParam[i] = params.containsKey(e.getKey());
            at += e.getValue().numel();
            i++;
        }
        if (at > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("model state has " + at + " values, more than one Java array holds");
        }
        return new StateLayout(names, shapes, offsets, isParam, (int) at);
    }

    int size(int entry) {
        return Shape.numel(shapes[entry]);
    }

    int parameterCount() {
        int c = 0;
        for (boolean p : parameter) c += p ? 1 : 0;
        return c;
    }

    /** Throws, naming the first difference, unless {@code other} describes the same state. */
    void requireSame(StateLayout other, String what) {
        if (!Arrays.equals(names, other.names) || !Arrays.deepEquals(shapes, other.shapes)
                || !Arrays.equals(parameter, other.parameter)) {
            List<String> mine = describe(), theirs = other.describe();
            throw new IllegalArgumentException(what + ": the model built by the factory does not match the model being trained;"
                    + " trained: " + mine + ", built: " + theirs);
        }
    }

    private List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) out.add(names[i] + Shape.str(shapes[i]));
        return out;
    }

    /** The module's state values, flattened. */
    float[] flatten(Module module) {
        float[] out = new float[length];
        int i = 0;
        for (Tensor t : module.stateDict().values()) {
            float[] v = t.toFloatArray();
            System.arraycopy(v, 0, out, offsets[i++], v.length);
        }
        return out;
    }

    /** The module's state values times {@code weight}, into {@code out[0, length)} (same bits as flatten, then scale). */
    void flattenScaled(Module module, float weight, float[] out) {
        int i = 0;
        for (Tensor t : module.stateDict().values()) {
            float[] a = t.isContiguous() ? t.array() : t.toFloatArray();
            int from = t.isContiguous() ? t.offset() : 0, off = offsets[i], n = size(i);
            for (int j = 0; j < n; j++) out[off + j] = a[from + j] * weight;
            i++;
        }
    }

    /** Writes {@code flat} into the module's parameters and buffers, in place. */
    void load(Module module, float[] flat) {
        int i = 0;
        for (Tensor t : module.stateDict().values()) {
            if (!t.isContiguous()) throw new IllegalStateException("state entry " + names[i] + " is not contiguous; cannot load it in place");
            System.arraycopy(flat, offsets[i], t.array(), t.offset(), size(i));
            i++;
        }
    }

    /**
     * Installs a reduced round result into the module: the summed gradients into its parameters'
     * gradients, the averaged buffers into its buffers. {@code sum} is the flat state followed by
     * one presence count per entry ({@code sum[length + i] > 0}: some partition reached entry i);
     * a parameter no partition reached has its gradient cleared, so the optimizer skips it, as on
     * one machine. The driver (a job per round) and every barrier task call this alike.
     */
    void applySum(Module module, float[] sum) {
        Map<String, Parameter> named = module.namedParameters();
        int i = 0;
        for (Map.Entry<String, Tensor> e : module.stateDict().entrySet()) {
            int off = offsets[i];
            if (parameter[i]) {
                Parameter p = named.get(e.getKey());
                Tensor v = p.value(), g = v.grad();
                if (!(sum[length + i] > 0)) v.clearGrad();
                else if (g == null) v.accumulateGrad(Tensor.wrap(Arrays.copyOfRange(sum, off, off + p.numel()), p.shape()));
                else System.arraycopy(sum, off, g.array(), g.offset(), p.numel());
            } else {
                Tensor t = e.getValue();
                System.arraycopy(sum, off, t.array(), t.offset(), size(i));
            }
            i++;
        }
    }
}
