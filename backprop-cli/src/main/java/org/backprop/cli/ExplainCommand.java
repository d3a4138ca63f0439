package org.backprop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.nn.Parameter;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Walks seed 001's network through one forward and one backward pass, printing every quantity in
 * the textbook's notation. The gradients are computed by the library's autograd and checked
 * against the hand-derived formulas; a disagreement is an error, not a footnote.
 *
 * <pre>
 *   g1 = W1ᵀx + b1,  h1 = φ(g1),  g2 = W2ᵀh1 + b2,  h2 = φ(g2),  L = ½‖y − h2‖²
 *   δ2 = −(y − h2) ⊙ φ′(g2),  ∂L/∂W2 = h1·δ2ᵀ,  ∂L/∂b2 = δ2
 *   δ1 = (W2·δ2) ⊙ φ′(g1),    ∂L/∂W1 = x·δ1ᵀ,   ∂L/∂b1 = δ1
 * </pre>
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Show one forward and backward pass of a small network, number by number.",
                "--model rnn walks a tiny tanh RNN through time and compares the gradient reaching each step with an LSTM's."})
final class ExplainCommand implements Callable<Integer> {
    /** Largest disagreement between autograd (float32) and the hand formulas (double) that counts as agreement. */
    static final double TOLERANCE = 1e-5;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "mlp",
            description = "mlp (the seed's two-layer network) or rnn (backpropagation through time; default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--time-steps", defaultValue = "5", description = "With --model rnn: sequence length (default: ${DEFAULT-VALUE}).")
    int timeSteps;

    @Option(names = "--inputs", defaultValue = "3", description = "Size of x (default: ${DEFAULT-VALUE}).")
    int inputs;

    @Option(names = "--hidden", defaultValue = "4", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--outputs", defaultValue = "1", description = "Outputs (default: ${DEFAULT-VALUE}).")
    int outputs;

    @Option(names = "--activation", defaultValue = "sigmoid",
            description = "φ: sigmoid, tanh or relu (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = {"--lr", "--learning-rate"}, defaultValue = "0.5", description = "η (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--steps", defaultValue = "1",
            description = "Gradient-descent steps; after the first, one line per step shows the loss fall (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for x, y and the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        if (inputs < 1 || hidden < 1 || outputs < 1) {
            throw new IllegalArgumentException("--inputs, --hidden and --outputs must be at least 1");
        }
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (model.equalsIgnoreCase("rnn")) return new ExplainRnn(spec.commandLine().getOut(), seed, inputs, hidden, timeSteps).run();
        if (!model.equalsIgnoreCase("mlp")) throw new IllegalArgumentException("--model must be mlp or rnn, not '" + model + "'");
        Phi phi = Phi.named(activation);
        PrintWriter out = spec.commandLine().getOut();
        Random rng = new Random(seed);
        double[] x = randomVector(rng, inputs, 1.0);
        double[] y = new double[outputs];
        for (int k = 0; k < outputs; k++) y[k] = phi == Phi.TANH ? rng.nextDouble() * 1.6 - 0.8 : 0.1 + 0.8 * rng.nextDouble();
        // W1 is [inputs × hidden] and W2 [hidden × outputs], as in the seed's g = Wᵀx + b.
        Parameter w1 = new Parameter(Tensor.randn(rng, inputs, hidden).mul(0.5f).detach().copy());
        Parameter b1 = new Parameter(Tensor.randn(rng, hidden, 1).mul(0.5f).detach().copy());
        Parameter w2 = new Parameter(Tensor.randn(rng, hidden, outputs).mul(0.5f).detach().copy());
        Parameter b2 = new Parameter(Tensor.randn(rng, outputs, 1).mul(0.5f).detach().copy());
        SGD sgd = new SGD(List.of(w1, b1, w2, b2), lr);

        out.printf(Locale.ROOT, "Network: x ∈ ℝ^%d → %d %s units → %d output%s; L = ½‖y − h2‖²%n",
                inputs, hidden, phi.label, outputs, outputs == 1 ? "" : "s");
        out.println("  g1 = W1ᵀx + b1   h1 = φ(g1)   g2 = W2ᵀh1 + b2   h2 = φ(g2)   φ = " + phi.label
                + ", φ′ = " + phi.derivativeLabel);
        out.println();
        out.println("Given");
        out.println("  x  = " + vec(x));
        out.println("  y  = " + vec(y));
        out.println("  W1 =" + mat(w1.value(), "       "));
        out.println("  b1 = " + vec(col(b1.value())));
        out.println("  W2 =" + mat(w2.value(), "       "));
        out.println("  b2 = " + vec(col(b2.value())));

        for (int step = 1; step <= steps; step++) {
            sgd.zeroGrad();
            // ---- forward, through the library
            Tensor tx = Tensor.of(floats(x), inputs, 1);
            Tensor g1 = w1.value().t().matmul(tx).add(b1.value());
            Tensor h1 = phi.apply(g1);
            Tensor g2 = w2.value().t().matmul(h1).add(b2.value());
            Tensor h2 = phi.apply(g2);
            Tensor loss = Tensor.of(floats(y), outputs, 1).sub(h2).square().sum().mul(0.5f);
            loss.backward();

            // ---- the same by hand, in double precision
            Hand hand = new Hand(x, y, toDouble(w1.value()), col(b1.value()), toDouble(w2.value()), col(b2.value()), phi);
            check("g1", hand.g1, col(g1));
            check("h1", hand.h1, col(h1));
            check("g2", hand.g2, col(g2));
            check("h2", hand.h2, col(h2));
            check("L", new double[] {hand.loss}, new double[] {loss.item()});
            check("∂L/∂W2", flat(hand.dW2), flat(toDouble(w2.grad())));
            check("∂L/∂b2", hand.delta2, col(b2.grad()));
            check("∂L/∂W1", flat(hand.dW1), flat(toDouble(w1.grad())));
            check("∂L/∂b1", hand.delta1, col(b1.grad()));

            if (step == 1) {
                out.println();
                out.println("Forward pass");
                out.println("  g1 = W1ᵀx + b1        = " + vec(col(g1)));
                out.println("  h1 = φ(g1)            = " + vec(col(h1)));
                out.println("  g2 = W2ᵀh1 + b2       = " + vec(col(g2)));
                out.println("  h2 = φ(g2)            = " + vec(col(h2)));
                out.printf(Locale.ROOT, "  L  = ½‖y − h2‖²       = %s%n", num(loss.item()));
                out.println();
                out.println("Backward pass (autograd; each line checked against the hand formula to "
                        + TOLERANCE + ")");
                out.println("  φ′(g2)                = " + vec(hand.dphi2));
                out.println("  δ2 = −(y − h2) ⊙ φ′(g2) = " + vec(col(b2.grad())) + "   ✓");
                out.println("  ∂L/∂W2 = h1·δ2ᵀ       =" + mat(w2.grad(), "                          ") + "   ✓");
                out.println("  ∂L/∂b2 = δ2           = " + vec(col(b2.grad())) + "   ✓");
                out.println("  φ′(g1)                = " + vec(hand.dphi1));
                out.println("  δ1 = (W2·δ2) ⊙ φ′(g1) = " + vec(col(b1.grad())) + "   ✓");
                out.println("  ∂L/∂W1 = x·δ1ᵀ        =" + mat(w1.grad(), "                          ") + "   ✓");
                out.println("  ∂L/∂b1 = δ1           = " + vec(col(b1.grad())) + "   ✓");
            }

            // ---- one step of gradient descent, W := W − η·∂L/∂W
            double[][] expectW1 = minus(toDouble(w1.value()), toDouble(w1.grad()), lr);
            double[][] expectW2 = minus(toDouble(w2.value()), toDouble(w2.grad()), lr);
            sgd.step();
            check("W1 − η·∂L/∂W1", flat(expectW1), flat(toDouble(w1.value())));
            check("W2 − η·∂L/∂W2", flat(expectW2), flat(toDouble(w2.value())));
            if (step == 1) {
                out.println();
                out.printf(Locale.ROOT, "Update, W := W − η·∂L/∂W with η = %s%n", num(lr));
                out.println("  W1 =" + mat(w1.value(), "       "));
                out.println("  b1 = " + vec(col(b1.value())));
                out.println("  W2 =" + mat(w2.value(), "       "));
                out.println("  b2 = " + vec(col(b2.value())));
                if (steps > 1) {
                    out.println();
                    out.println("Steps (loss before each step)");
                }
            }
            if (steps > 1) out.printf(Locale.ROOT, "  step %4d   L = %s%n", step, num(loss.item()));
        }
        out.flush();
        return 0;
    }

    /** Fails loudly when autograd and the hand formulas disagree. */
    static void check(String what, double[] byHand, double[] byAutograd) {
        for (int i = 0; i < byHand.length; i++) {
            if (!(Math.abs(byHand[i] - byAutograd[i]) <= TOLERANCE * Math.max(1, Math.abs(byHand[i])))) {
                throw new IllegalStateException("explain: " + what + "[" + i + "] by hand is " + byHand[i]
                        + " but autograd gives " + byAutograd[i]);
            }
        }
    }

    /** The activation and its derivative written out, for the hand computation. */
    enum Phi {
        SIGMOID("sigmoid", "φ(g)(1 − φ(g))"), TANH("tanh", "1 − φ(g)²"), RELU("relu", "1 if g > 0 else 0");

        final String label;
        final String derivativeLabel;

        Phi(String label, String derivativeLabel) {
            this.label = label;
            this.derivativeLabel = derivativeLabel;
        }

        static Phi named(String name) {
            for (Phi p : values()) if (p.label.equalsIgnoreCase(name)) return p;
            throw new IllegalArgumentException("--activation must be sigmoid, tanh or relu, not '" + name + "'");
        }

        Tensor apply(Tensor g) {
            return switch (this) {
                case SIGMOID -> g.sigmoid();
                case TANH -> g.tanh();
                case RELU -> g.relu();
            };
        }

        double value(double g) {
            return switch (this) {
                case SIGMOID -> 1 / (1 + Math.exp(-g));
                case TANH -> Math.tanh(g);
                case RELU -> Math.max(0, g);
            };
        }

        double derivative(double g) {
            return switch (this) {
                case SIGMOID -> value(g) * (1 - value(g));
                case TANH -> 1 - Math.tanh(g) * Math.tanh(g);
                case RELU -> g > 0 ? 1 : 0;
            };
        }
    }

    /** The seed's formulas, evaluated in double precision. */
    private static final class Hand {
        final double[] g1, h1, g2, h2, dphi1, dphi2, delta1, delta2;
        final double[][] dW1, dW2;
        final double loss;

        Hand(double[] x, double[] y, double[][] w1, double[] b1, double[][] w2, double[] b2, Phi phi) {
            int n = x.length, m = b1.length, o = b2.length;
            g1 = new double[m];
            h1 = new double[m];
            dphi1 = new double[m];
            for (int j = 0; j < m; j++) {
                double s = b1[j];
                for (int i = 0; i < n; i++) s += w1[i][j] * x[i];
                g1[j] = s;
                h1[j] = phi.value(s);
                dphi1[j] = phi.derivative(s);
            }
            g2 = new double[o];
            h2 = new double[o];
            dphi2 = new double[o];
            delta2 = new double[o];
            double l = 0;
            for (int k = 0; k < o; k++) {
                double s = b2[k];
                for (int j = 0; j < m; j++) s += w2[j][k] * h1[j];
                g2[k] = s;
                h2[k] = phi.value(s);
                dphi2[k] = phi.derivative(s);
                delta2[k] = -(y[k] - h2[k]) * dphi2[k];
                l += 0.5 * (y[k] - h2[k]) * (y[k] - h2[k]);
            }
            loss = l;
            dW2 = new double[m][o];
            delta1 = new double[m];
            for (int j = 0; j < m; j++) {
                double back = 0;
                for (int k = 0; k < o; k++) {
                    dW2[j][k] = h1[j] * delta2[k];
                    back += w2[j][k] * delta2[k];
                }
                delta1[j] = back * dphi1[j];
            }
            dW1 = new double[n][m];
            for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) dW1[i][j] = x[i] * delta1[j];
        }
    }

    // ---------------------------------------------------------------- formatting and conversions

    static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    static String vec(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%9.6f", v[i]));
        return sb.append(']').toString();
    }

    private static String mat(Tensor t, String indent) {
        double[][] m = toDouble(t);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < m.length; i++) sb.append(i == 0 ? " " : "\n" + indent).append(vec(m[i]));
        return sb.toString();
    }

    private static double[] randomVector(Random rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.round((rng.nextDouble() * 2 - 1) * scale * 100) / 100.0;
        return v;
    }

    private static double[][] toDouble(Tensor t) {
        int r = t.size(0), c = t.size(1);
        double[][] m = new double[r][c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i][j] = t.get(i, j);
        return m;
    }

    private static double[] col(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }

    private static double[][] minus(double[][] w, double[][] g, double lr) {
        double[][] r = new double[w.length][w[0].length];
        for (int i = 0; i < w.length; i++) for (int j = 0; j < w[0].length; j++) r[i][j] = w[i][j] - lr * g[i][j];
        return r;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
