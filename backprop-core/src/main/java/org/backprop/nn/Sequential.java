package org.backprop.nn;

import java.util.ArrayList;
import java.util.List;
import org.backprop.tensor.Tensor;

/** Modules applied one after another; children are named 0, 1, 2, ... as in PyTorch. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    public Sequential(List<? extends Module> layers) {
        for (Module m : layers) add(m);
    }

    /** Appends a layer; returns this for chaining. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    /**
     * Runs the layers in order. Two patterns run fused, with the values and gradients of the
     * layers run apart, bit for bit: a ReLU followed by a max-pool runs as the max-pool followed
     * by the ReLU, in one pass when the windows tile the image (ReLU never reorders values, so the
     * largest input of a window stays the largest, and a window whose largest input is ≤ 0 passes
     * no gradient either way; pooling first leaves ReLU a quarter of the values of a 2×2 pool);
     * and a BatchNorm2d before that pair normalises each image plane in cache on the way to the
     * pool ({@link BatchNormReluPool}), so the full-size normalised activations are never stored.
     */
    @Override
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof BatchNorm2d bn && i + 2 < layers.size() && layers.get(i + 1) instanceof Activation.ReLU
                    && layers.get(i + 2) instanceof MaxPool2d pool) {
                x = bn.normalizeReluPool(x, pool.window);
                i += 2;
            } else if (m instanceof Activation.ReLU && i + 1 < layers.size() && layers.get(i + 1) instanceof MaxPool2d pool) {
                x = MaxPool2d.reluMaxPool2d(x, pool.window);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }
}
