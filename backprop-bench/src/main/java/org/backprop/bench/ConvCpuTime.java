package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * CPU time of each layer of the two convolutional benchmark networks, forward and backward apart:
 * {@code fsdd_cnn} (FsddBench's, batch 64, 43 steps an epoch) and {@code lenet5} (FashionBench's,
 * batch 128, 469 steps an epoch). Each layer runs on a fixed random input of its shape and is
 * backpropagated from a fixed random gradient, so one layer's change is seen alone; the layers
 * take turns within a round and the rounds repeat, so a slow moment of a shared host spreads over
 * all of them. Times are the calling thread's CPU time: run with {@code -Dbackprop.split=serial}
 * so that all the work is on that thread. Prints the median and the spread (min–max) per layer,
 * and the per-epoch estimate. With {@code --ab} only the convolutions run, each round once on
 * im2col + GEMM ({@code backprop.conv=im2col}) and once on the direct path, in alternating order,
 * so both see the same moments of the host. {@code --ab-weight} does the same with only the stride-1
 * weight gradient switched ({@code backprop.convWeight=im2col} against the direct one). With
 * {@code --blocks} the layers between two convolutions run as one {@link Sequential}, as training
 * runs them (with its reorderings and fused paths). Each layer draws its buffers from its own
 * {@link StepArena}, as a training step does. With {@code --dx} the convolutions' weights and biases
 * need no gradient, so their backward time is the input gradient's alone.
 * With {@code --inner} each layer's input (but the first's) is an inner tensor of the graph, as in
 * training, whose gradient is handed on and dropped; by default it is a leaf, whose gradient the
 * backward accumulates (a fill and an add over the input's size, counted in the layer's backward,
 * which a training step does not run: the layer before consumes the gradient as it is).
 * {@code --warmup} rounds run unmeasured first (3; more on a busy host, where C2 may take the
 * larger kernels over only after several seconds).
 * {@code --ab-rows} runs the direct path with DirectConv's row path off ({@code backprop.convRows=off}: the
 * grid) against on.
 * {@code ConvCpuTime [--rounds 15] [--reps 3] [--warmup 3] [--nets fsdd_cnn,lenet5] [--ab | --ab-weight | --ab-rows] [--blocks] [--dx] [--inner]}
 */
final class ConvCpuTime {
    private ConvCpuTime() {}

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** --inner: the layers' inputs are inner tensors whose gradients are dropped, not leaves. */
    private static boolean inner;

    public static void main(String[] args) {
        int rounds = 15, reps = 3, warmup = 3;
        String nets = "fsdd_cnn,lenet5";
        boolean ab = false, blocks = false, dxOnly = false;
        inner = false;
        String abProperty = "backprop.conv";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--nets" -> nets = args[++i];
                case "--ab" -> ab = true;
                case "--blocks" -> blocks = true;
                case "--dx" -> dxOnly = true;
                case "--inner" -> inner = true;
                case "--ab-weight" -> {
                    ab = true;
                    abProperty = "backprop.convWeight";
                }
                case "--ab-rows" -> {
                    ab = true;
                    abProperty = "backprop.convRows";
                }
                default -> throw new IllegalArgumentException(
                        "usage: ConvCpuTime [--rounds 15] [--reps 3] [--warmup 3] [--nets fsdd_cnn,lenet5] [--ab | --ab-weight | --ab-rows] [--blocks] [--dx] [--inner]");
            }
        }
        for (String net : nets.split(",")) {
            Sequential model = switch (net) {
                case "fsdd_cnn" -> Models.fsddCnn(new Random(0));
                case "lenet5" -> Models.lenet5(new Random(0));
                default -> throw new IllegalArgumentException("unknown net " + net);
            };
            if (dxOnly) { // the convolutions' weights and biases frozen: their backward is the input gradient alone
                for (int i = 0; i < model.size(); i++) {
                    if (model.get(i) instanceof Conv2d c) {
                        c.weight.value().requiresGrad(false);
                        if (c.bias != null) c.bias.value().requiresGrad(false);
                    }
                }
            }
            switch (net) {
                case "fsdd_cnn" -> run(net, layers(model, blocks), new int[] {64, 1, 40, 100}, 2700.0 / 64,
                        rounds, reps, warmup, ab ? abProperty : null);
                case "lenet5" -> run(net, layers(model, blocks), new int[] {128, 1, 28, 28}, 60000.0 / 128,
                        rounds, reps, warmup, ab ? abProperty : null);
                default -> throw new IllegalArgumentException("unknown net " + net);
            }
        }
    }

    private record Layer(String name, Module module, Tensor input, Tensor seed, StepArena arena) {
        Layer(String name, Module module, Tensor input, Tensor seed) {
            this(name, module, input, seed, new StepArena());
        }
    }

    /** The model's layers, or with {@code blocks} each run of layers between convolutions as one Sequential. */
    private static List<Module> layers(Sequential model, boolean blocks) {
        List<Module> out = new ArrayList<>();
        List<Module> run = new ArrayList<>();
        for (int i = 0; i < model.size(); i++) {
            Module m = model.get(i);
            if (!blocks) {
                out.add(m);
            } else if (m instanceof Conv2d) {
                if (!run.isEmpty()) out.add(new Sequential(run.toArray(Module[]::new)));
                run.clear();
                out.add(m);
            } else {
                run.add(m);
            }
        }
        if (!run.isEmpty()) out.add(new Sequential(run.toArray(Module[]::new)));
        return out;
    }

    private static void run(String net, List<Module> model, int[] inputShape, double stepsPerEpoch, int rounds, int reps, int warmup, String abProperty) {
        boolean ab = abProperty != null;
        Random rng = new Random(1);
        List<Layer> layers = new ArrayList<>();
        System.clearProperty("backprop.conv");
        System.clearProperty("backprop.convWeight");
        Tensor x = random(rng, inputShape);
        boolean first = true;
        for (int i = 0; i < model.size(); i++) {
            Module m = model.get(i);
            String name = m instanceof Sequential seq ? String.join("+", seq.children().values().stream()
                    .map(c -> c.getClass().getSimpleName().replace("BatchNorm2d", "BN").replace("MaxPool2d", "Pool")).toList())
                    : m.getClass().getSimpleName();
            Tensor in = x.detach().requiresGrad(!first); // the first layer's input (the data) needs no gradient
            if (inner && !first) { // the output of an op whose backward drops the gradient
                in = Tensor.fromOperation(x.toFloatArray(), x.shape(), "benchInput", g -> new Tensor[] {null},
                        Tensor.zeros(1).requiresGrad(true));
            }
            Tensor out = m.forward(in);
            layers.add(new Layer(i + ":" + name, m, in, random(rng, out.shape())));
            x = out.detach();
            first = false;
        }
        String[] labels = "backprop.convRows".equals(abProperty) ? new String[] {"grid", "rows"} : new String[] {"im2col", "direct"};
        if (ab) {
            List<Layer> both = new ArrayList<>();
            for (Layer l : layers) {
                if (!(l.module instanceof Conv2d)) continue;
                both.add(new Layer(l.name + "/" + labels[0], l.module, l.input, l.seed));
                both.add(new Layer(l.name + "/" + labels[1], l.module, l.input, l.seed));
            }
            layers = both;
        }
        int n = layers.size();
        double[][] fwd = new double[n][rounds], bwd = new double[n][rounds];
        for (int r = -warmup; r < rounds; r++) { // warm-up rounds for the JIT
            for (int l = 0; l < n; l++) {
                // in A/B mode the pair of a layer runs in turn order, flipped every round
                int at = ab ? (l ^ (r & 1)) : l;
                Layer layer = layers.get(at);
                if (ab) {
                    boolean a = layer.name.endsWith("/" + labels[0]);
                    System.setProperty(abProperty, abProperty.equals("backprop.convRows") ? (a ? "off" : "on")
                            : a ? "im2col" : "direct");
                }
                long f = 0, b = 0;
                for (int k = 0; k < reps; k++) {
                    layer.module.zeroGrad();
                    if (layer.input.requiresGrad()) layer.input.zeroGrad();
                    long t0, t1, t2;
                    try (var _ = layer.arena.open()) {
                        t0 = CPU.getCurrentThreadCpuTime();
                        Tensor out = layer.module.forward(layer.input);
                        t1 = CPU.getCurrentThreadCpuTime();
                        if (out.requiresGrad()) out.backward(layer.seed); // not with --dx on the first layer
                        t2 = CPU.getCurrentThreadCpuTime();
                    }
                    f += t1 - t0;
                    b += t2 - t1;
                }
                if (r >= 0) {
                    fwd[at][r] = f / 1e6 / reps;
                    bwd[at][r] = b / 1e6 / reps;
                }
            }
        }
        System.out.printf("%s (%s, split=%s%s): ms CPU per step, median [min-max] of %d rounds x %d reps%n", net,
                org.backprop.kernel.Simd.describe(), System.getProperty("backprop.split", "adaptive"),
                inner ? ", inputs inner" : "", rounds, reps);
        // in A/B mode one total per path (the layers alternate: even im2col, odd direct)
        int paths = ab ? 2 : 1;
        double[] totalF = new double[paths], totalB = new double[paths];
        for (int l = 0; l < n; l++) {
            double mf = median(fwd[l]), mb = median(bwd[l]);
            totalF[l % paths] += mf;
            totalB[l % paths] += mb;
            System.out.printf("  %-16s fwd %7.2f [%6.2f-%6.2f]  bwd %7.2f [%6.2f-%6.2f]%n", layers.get(l).name, mf,
                    min(fwd[l]), max(fwd[l]), mb, min(bwd[l]), max(bwd[l]));
        }
        for (int p = 0; p < paths; p++) {
            System.out.printf("  total%-11s fwd %7.2f  bwd %7.2f  step %7.2f ms, epoch %.0f ms CPU (%.0f steps)%n",
                    ab ? " " + labels[p] : "", totalF[p], totalB[p], totalF[p] + totalB[p],
                    (totalF[p] + totalB[p]) * stepsPerEpoch, stepsPerEpoch);
        }
    }

    private static Tensor random(Random rng, int[] shape) {
        int size = 1;
        for (int s : shape) size *= s;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) rng.nextGaussian();
        return Tensor.wrap(v, shape);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }
}
