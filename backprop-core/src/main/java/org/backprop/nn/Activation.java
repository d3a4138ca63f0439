package org.backprop.nn;

import org.backprop.tensor.Tensor;

/**
 * Activation functions as modules with no parameters, for use in {@link Sequential}.
 * Each delegates to the tensor operation of the same name, whose derivative sits beside it.
 */
public abstract sealed class Activation extends Module
        permits Activation.ReLU, Activation.LeakyReLU, Activation.ELU, Activation.Sigmoid, Activation.Tanh,
        Activation.GELU, Activation.Softmax {

    /** The activation named as on the command line: relu, leaky_relu, elu, sigmoid, tanh, gelu, softmax. */
    public static Activation named(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT).replace("-", "_")) {
            case "relu" -> new ReLU();
            case "leaky_relu", "leakyrelu" -> new LeakyReLU(0.01f);
            case "elu" -> new ELU(1f);
            case "sigmoid" -> new Sigmoid();
            case "tanh" -> new Tanh();
            case "gelu" -> new GELU();
            case "softmax" -> new Softmax(-1);
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "' (known: relu, leaky_relu, elu, sigmoid, tanh, gelu, softmax)");
        };
    }

    /** max(0, x). */
    public static final class ReLU extends Activation {
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
        public Tensor forward(Tensor x) {
            return x.sigmoid();
        }
    }

    public static final class Tanh extends Activation {
        @Override
        public Tensor forward(Tensor x) {
            return x.tanh();
        }
    }

    /** x·Φ(x), the exact (erf) form. */
    public static final class GELU extends Activation {
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
        public Tensor forward(Tensor x) {
            return x.softmax(axis);
        }

        @Override
        protected String extraRepr() {
            return "axis=" + axis;
        }
    }
}
