package org.backprop.nn;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.tensor.Tensor;

/**
 * Activation functions as modules with no parameters, for use in {@link Sequential}.
 * Each delegates to the tensor operation of the same name, whose derivative sits beside it.
 */
public abstract sealed class Activation extends Module
        permits Activation.ReLU, Activation.LeakyReLU, Activation.ELU, Activation.Sigmoid, Activation.Tanh,
        Activation.GELU, Activation.Softmax {

    /** The names of the activations, as on the command line and in model files. */
    public static final List<String> NAMES = List.of("relu", "leaky_relu", "elu", "sigmoid", "tanh", "gelu", "softmax");

    /** The activation named as on the command line, with its default settings (slope 0.01, alpha 1, last axis). */
    public static Activation named(String name) {
        return create(name, Map.of());
    }

    /**
     * The activation of that name with {@code settings} (by the names of {@link #settings()};
     * a setting left out takes its default). The single place that knows every activation kind:
     * model files store {@link #name()} and {@link #settings()} and rebuild through here.
     *
     * @throws IllegalArgumentException for an unknown name or setting
     */
    public static Activation create(String name, Map<String, ? extends Number> settings) {
        String canonical = name.toLowerCase(Locale.ROOT).replace("-", "_");
        Activation a = switch (canonical) {
            case "relu" -> new ReLU();
            case "leaky_relu", "leakyrelu" -> new LeakyReLU(setting(settings, "negative_slope", 0.01f).floatValue());
            case "elu" -> new ELU(setting(settings, "alpha", 1f).floatValue());
            case "sigmoid" -> new Sigmoid();
            case "tanh" -> new Tanh();
            case "gelu" -> new GELU();
            case "softmax" -> new Softmax(setting(settings, "axis", -1).intValue());
            default -> throw new IllegalArgumentException("unknown activation '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
        for (String key : settings.keySet()) {
            if (!a.settings().containsKey(key)) {
                throw new IllegalArgumentException(a.name() + " has no setting '" + key + "' (it has "
                        + (a.settings().isEmpty() ? "none" : String.join(", ", a.settings().keySet())) + ")");
            }
        }
        return a;
    }

    private static Number setting(Map<String, ? extends Number> settings, String key, Number otherwise) {
        Number v = settings.get(key);
        return v == null ? otherwise : v;
    }

    /** The canonical name, one of {@link #NAMES}. */
    public abstract String name();

    /**
     * The settings that distinguish this activation from another of the same name, by their
     * PyTorch argument names (negative_slope, alpha; softmax's dim as axis); empty for most.
     */
    public Map<String, Number> settings() {
        return Map.of();
    }

    /** max(0, x). */
    public static final class ReLU extends Activation {
        @Override
        public String name() {
            return "relu";
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.relu();
        }
    }

    /** x for x &gt; 0, slope·x otherwise. */
    public static final class LeakyReLU extends Activation {
        public final float negativeSlope;

        public LeakyReLU(float negativeSlope) {
            this.negativeSlope = negativeSlope;
        }

        @Override
        public String name() {
            return "leaky_relu";
        }

        @Override
        public Map<String, Number> settings() {
            return Map.of("negative_slope", negativeSlope);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.leakyRelu(negativeSlope);
        }

        @Override
        protected String extraRepr() {
            return "negativeSlope=" + negativeSlope;
        }
    }

    /** x for x &gt; 0, α·(eˣ − 1) otherwise. */
    public static final class ELU extends Activation {
        public final float alpha;

        public ELU(float alpha) {
            this.alpha = alpha;
        }

        @Override
        public String name() {
            return "elu";
        }

        @Override
        public Map<String, Number> settings() {
            return Map.of("alpha", alpha);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.elu(alpha);
        }

        @Override
        protected String extraRepr() {
            return "alpha=" + alpha;
        }
    }

    /** 1 / (1 + e⁻ˣ). */
    public static final class Sigmoid extends Activation {
        @Override
        public String name() {
            return "sigmoid";
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.sigmoid();
        }
    }

    public static final class Tanh extends Activation {
        @Override
        public String name() {
            return "tanh";
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.tanh();
        }
    }

    /** x·Φ(x), the exact (erf) form. */
    public static final class GELU extends Activation {
        @Override
        public String name() {
            return "gelu";
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.gelu();
        }
    }

    /** Softmax along an axis (default: the last). For outputs read as probabilities, not before a cross-entropy loss on logits. */
    public static final class Softmax extends Activation {
        public final int axis;

        public Softmax(int axis) {
            this.axis = axis;
        }

        @Override
        public String name() {
            return "softmax";
        }

        @Override
        public Map<String, Number> settings() {
            return Map.of("axis", axis);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.softmax(axis);
        }

        @Override
        protected String extraRepr() {
            return "axis=" + axis;
        }
    }
}
