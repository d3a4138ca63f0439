package org.backprop.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * A piece of a network: a forward computation with named parameters, buffers (non-trained state
 * such as batch-norm running statistics) and child modules. Names form dotted paths
 * ({@code 0.weight}, {@code encoder.fc1.bias}) that match PyTorch's {@code state_dict} keys.
 *
 * <p>Contract, as in PyTorch: {@link #forward}, {@link #parameters()}, {@link #zeroGrad()},
 * {@link #train()}/{@link #eval()} (which switch dropout and batch norm), and
 * {@link #stateDict()}/{@link #loadStateDict} for saving.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor input);

    protected final Parameter registerParameter(String name, Parameter p) {
        checkName(name);
        parameters.put(name, p);
        return p;
    }

    protected final Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t);
        return t;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member name must be non-empty and contain no '.': '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("module member '" + name + "' is already registered");
        }
    }

    /** Direct children, in registration order. */
    public final Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants, in registration order. */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters by dotted path. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, m) -> m.collectParameters(prefix + n + ".", out));
    }

    /** Parameters and buffers by dotted path: everything needed to restore the module's state. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p.value()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, m) -> m.collectState(prefix + n + ".", out));
    }

    /**
     * Copies values into this module's parameters and buffers. Every key must be present with
     * the right shape, and no key may be left over; the error names the key and both shapes.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) {
                throw new IllegalArgumentException("loadStateDict: unexpected key '" + key + "'; this module has "
                        + own.keySet());
            }
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) throw new IllegalArgumentException("loadStateDict: missing key '" + e.getKey() + "'");
            Tensor dst = e.getValue();
            if (!Shape.same(src.shape(), dst.shape())) {
                throw new IllegalArgumentException("loadStateDict: shape mismatch for " + e.getKey() + ": expected "
                        + Shape.str(dst.shape()) + ", found " + Shape.str(src.shape()));
            }
            System.arraycopy(src.toFloatArray(), 0, dst.array(), dst.offset(), dst.numel());
        }
    }

    /** Switches this module and its descendants to training mode (dropout active, batch statistics). */
    public final Module train() {
        return train(true);
    }

    /** Switches to evaluation mode (dropout off, running statistics). */
    public final Module eval() {
        return train(false);
    }

    public Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    public final void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }

    /** Number of trainable values. */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.numel();
        return n;
    }

    /** A short description of this module's own settings, e.g. {@code in=64, out=32}. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((n, m) -> sb.append("  (").append(n).append("): ")
                    .append(m.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
