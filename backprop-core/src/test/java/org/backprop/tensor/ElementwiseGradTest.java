package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.awayFromZero;
import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.separated;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Finite-difference checks of every elementwise operation's backward, on odd shapes, a batch of
 * one, a scalar, and broadcasting pairs (where the engine must sum the gradient back down).
 */
class ElementwiseGradTest {

    private static final int[][] SHAPES = {{3, 5}, {7, 1}, {1, 4}, {}, {2, 3, 3}};

    /** How to draw an input for an op: its domain and distance from kinks. */
    @FunctionalInterface
    interface Source {
        Tensor draw(Random rng, int[] shape);
    }

    private record Unary(String name, UnaryOperator<Tensor> op, Source source) {}

    private static Source range(double lo, double hi) {
        return (rng, s) -> uniform(rng, lo, hi, s);
    }

    private static Source nonZero(double min, double max) {
        return (rng, s) -> awayFromZero(rng, min, max, s);
    }

    /** Values on both sides of [lo, hi] but at least 0.05 from either bound. */
    private static Source clampSafe(float lo, float hi) {
        return (rng, s) -> {
            Tensor t = uniform(rng, lo - 1, hi + 1, s);
            float[] d = t.array();
            for (int i = 0; i < d.length; i++) {
                while (Math.abs(d[i] - lo) < 0.05 || Math.abs(d[i] - hi) < 0.05) {
                    d[i] = (float) (lo - 1 + (hi - lo + 2) * rng.nextDouble());
                }
            }
            return t;
        };
    }

    private static final List<Unary> UNARY = List.of(
            new Unary("neg", Tensor::neg, range(-2, 2)),
            new Unary("exp", Tensor::exp, range(-2, 2)),
            new Unary("log", Tensor::log, range(0.2, 3)),
            new Unary("sqrt", Tensor::sqrt, range(0.2, 3)),
            new Unary("abs", Tensor::abs, nonZero(0.1, 2)),
            new Unary("square", Tensor::square, range(-2, 2)),
            new Unary("relu", Tensor::relu, nonZero(0.1, 2)),
            new Unary("leakyRelu(0.1)", x -> x.leakyRelu(0.1f), nonZero(0.1, 2)),
            new Unary("elu(1)", x -> x.elu(1f), nonZero(0.1, 2)),
            new Unary("elu(0.5)", x -> x.elu(0.5f), nonZero(0.1, 2)),
            new Unary("sigmoid", Tensor::sigmoid, range(-4, 4)),
            new Unary("tanh", Tensor::tanh, range(-2.5, 2.5)),
            new Unary("gelu", Tensor::gelu, range(-3, 3)),
            new Unary("clamp(-0.5, 0.7)", x -> x.clamp(-0.5f, 0.7f), clampSafe(-0.5f, 0.7f)),
            new Unary("pow(2)", x -> x.pow(2f), range(-2, 2)),
            new Unary("pow(3)", x -> x.pow(3f), range(-1.5, 1.5)),
            new Unary("pow(0.5)", x -> x.pow(0.5f), range(0.3, 2)),
            new Unary("pow(-1.5)", x -> x.pow(-1.5f), range(0.5, 2)),
            new Unary("pow(2.5)", x -> x.pow(2.5f), range(0.3, 2)),
            new Unary("add(0.75)", x -> x.add(0.75f), range(-2, 2)),
            new Unary("sub(1.25)", x -> x.sub(1.25f), range(-2, 2)),
            new Unary("mul(-1.5)", x -> x.mul(-1.5f), range(-2, 2)),
            new Unary("div(0.4)", x -> x.div(0.4f), range(-2, 2)));

    @TestFactory
    List<DynamicTest> unaryOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Unary u : UNARY) {
            for (int[] shape : SHAPES) {
                tests.add(dynamicTest(u.name() + " " + Arrays.toString(shape), () -> {
                    Tensor x = u.source().draw(new Random(shape.length * 31L + u.name().hashCode()), shape);
                    gradcheck(in -> u.op().apply(in[0]), x);
                }));
            }
        }
        return tests;
    }

    private record Binary(String name, BiFunction<Tensor, Tensor, Tensor> op, Source left, Source right) {}

    private static final List<Binary> BINARY = List.of(
            new Binary("add", Tensor::add, range(-2, 2), range(-2, 2)),
            new Binary("sub", Tensor::sub, range(-2, 2), range(-2, 2)),
            new Binary("mul", Tensor::mul, range(-2, 2), range(-2, 2)),
            new Binary("div", Tensor::div, range(-2, 2), nonZero(0.5, 2)),
            new Binary("pow", Tensor::pow, range(0.3, 2), range(-2, 2)));

    /** Pairs of operand shapes: equal, both broadcast, trailing-axis broadcast, scalars, rank-3. */
    private static final int[][][] PAIRS = {
        {{3, 5}, {3, 5}},
        {{3, 1}, {1, 4}},
        {{2, 3}, {3}},
        {{3, 5}, {}},
        {{}, {7, 1}},
        {{7, 1}, {1}},
        {{1}, {1}},
        {{2, 1, 4}, {3, 1}},
    };

    @TestFactory
    List<DynamicTest> binaryOpsWithBroadcasting() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Binary b : BINARY) {
            for (int[][] pair : PAIRS) {
                tests.add(dynamicTest(b.name() + " " + Arrays.toString(pair[0]) + " " + Arrays.toString(pair[1]), () -> {
                    Random rng = new Random(b.name().hashCode() + 7L * pair[0].length + pair[1].length);
                    Tensor x = b.left().draw(rng, pair[0]);
                    Tensor y = b.right().draw(rng, pair[1]);
                    gradcheck(in -> b.op().apply(in[0], in[1]), x, y);
                }));
            }
        }
        // maximum and minimum: operands drawn from one spaced-out pool, so no tie is within the step
        for (int[][] pair : PAIRS) {
            for (String name : List.of("maximum", "minimum")) {
                tests.add(dynamicTest(name + " " + Arrays.toString(pair[0]) + " " + Arrays.toString(pair[1]), () -> {
                    Tensor[] xy = separated(new Random(name.hashCode() + pair[0].length), pair[0], pair[1]);
                    gradcheck(in -> name.equals("maximum") ? in[0].maximum(in[1]) : in[0].minimum(in[1]), xy);
                }));
            }
        }
        return tests;
    }

    @Test
    void onlyOneOperandRequiringGradGetsAGradient() {
        Random rng = new Random(3);
        Tensor x = uniform(rng, -2, 2, 3, 4);
        Tensor constant = uniform(rng, 0.5, 2, 4).requiresGrad(false);
        for (BiFunction<Tensor, Tensor, Tensor> op : List.<BiFunction<Tensor, Tensor, Tensor>>of(
                Tensor::add, Tensor::sub, Tensor::mul, Tensor::div)) {
            gradcheck(in -> op.apply(in[0], constant), x);
            gradcheck(in -> op.apply(constant, in[0].abs().add(0.5f)), x);
        }
        // a tensor exponent that does not require grad, and a base that does not
        Tensor base = uniform(rng, 0.5, 2, 3, 4);
        gradcheck(in -> base.detach().pow(in[0]), x);
    }

    @Test
    void chainsOfOpsComposeByTheChainRule() {
        Random rng = new Random(11);
        Tensor x = uniform(rng, 0.3, 2, 3, 5);
        Tensor w = uniform(rng, -1, 1, 5);
        gradcheck(in -> in[0].mul(in[1]).tanh().add(in[0].log()).square().div(in[0].add(1f)), x, w);
    }
}
