package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Bytes allocated per warm training step of the two convolutional benchmark networks
 * ({@code fsdd_cnn} at batch 64, {@code lenet5} at batch 128), taken as a Trainer takes a step:
 * forward and loss inside a {@link StepArena}, then Adam's backward-and-step. Counts every live
 * thread's allocation (the stepping thread and the kernel threads) from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, over warm steps on a fixed
 * random batch, and prints it with the calling thread's CPU time per step.
 * {@code ConvStepAlloc [--warm 20] [--steps 20] [--nets fsdd_cnn,lenet5]}
 */
final class ConvStepAlloc {
    private ConvStepAlloc() {}

    public static void main(String[] args) {
        int warm = 20, steps = 20;
        String nets = "fsdd_cnn,lenet5";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--nets" -> nets = args[++i];
                default -> throw new IllegalArgumentException("usage: ConvStepAlloc [--warm 20] [--steps 20] [--nets fsdd_cnn,lenet5]");
            }
        }
        for (String net : nets.split(",")) {
            switch (net) {
                case "fsdd_cnn" -> run(net, Models.fsddCnn(new Random(0)), new int[] {64, 1, 40, 100}, warm, steps);
                case "lenet5" -> run(net, Models.lenet5(new Random(0)), new int[] {128, 1, 28, 28}, warm, steps);
                default -> throw new IllegalArgumentException("unknown net " + net);
            }
        }
    }

    private static void run(String name, Sequential model, int[] shape, int warm, int steps) {
        Random rng = new Random(1);
        int size = 1;
        for (int s : shape) size *= s;
        float[] x = new float[size], y = new float[shape[0]];
        for (int i = 0; i < size; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
        Tensor images = Tensor.wrap(x, shape), labels = Tensor.wrap(y, shape[0]);
        Adam adam = new Adam(model.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        StepArena arena = new StepArena();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warm; i++) step(model, adam, lossFn, arena, images, labels);
        long created = arena.arraysCreated();
        long b0 = allocated(threads), c0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < steps; i++) step(model, adam, lossFn, arena, images, labels);
        long b1 = allocated(threads), c1 = threads.getCurrentThreadCpuTime();
        int bits = 0; // the trained parameters' bits, to compare builds
        for (var p : model.parameters()) bits = 31 * bits + java.util.Arrays.hashCode(p.data());
        System.out.printf("%s: %,d bytes per warm step (all threads), %d arena arrays created in %d warm steps, %.2f ms CPU per step (this thread), parameters' hash %08x%n",
                name, (b1 - b0) / steps, arena.arraysCreated() - created, steps, (c1 - c0) / 1e6 / steps, bits);
    }

    private static void step(Sequential model, Adam adam, CrossEntropyLoss lossFn, StepArena arena, Tensor images, Tensor labels) {
        try (var _ = arena.open()) {
            Tensor loss = lossFn.apply(model.forward(images), labels);
            adam.backwardAndStep(loss);
            loss.item();
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }
}
