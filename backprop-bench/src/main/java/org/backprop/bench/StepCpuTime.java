package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.backprop.tensor.Tensor;

/**
 * CPU time of the mlp_steps workload (FashionBench's Adam steps on consecutive Fashion-MNIST
 * slices): process CPU time per step (the stepping thread, the kernel threads, and whatever the
 * JIT and GC spend) and the stepping thread's own CPU time, over warm steps. On a shared machine
 * wall time measures the neighbours; CPU time of this process does not, so A/B comparisons of a
 * change use this.
 * {@code StepCpuTime [--data DIR] [--batch 1] [--warm 3000] [--steps 3000]}
 */
final class StepCpuTime {
    private StepCpuTime() {}

    public static void main(String[] args) throws Exception {
        Path data = null;
        int batch = 1, warm = 3000, steps = 3000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: StepCpuTime [--data DIR] [--batch 1] [--warm 3000] [--steps 3000]");
            }
        }
        Pixels train = Pixels.load(data)[0];
        Net mlp = Net.mlp(0);
        int rows = train.size();
        float[] x = new float[batch * 784], y = new float[batch];
        Tensor images = mlp.images(x, batch), labels = Tensor.wrap(y, batch);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warm; i++) step(mlp, train, rows, batch, i, x, y, images, labels);
        long p0 = os.getProcessCpuTime(), t0 = threads.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        float loss = 0;
        for (int i = warm; i < warm + steps; i++) loss += step(mlp, train, rows, batch, i, x, y, images, labels);
        long p1 = os.getProcessCpuTime(), t1 = threads.getCurrentThreadCpuTime(), w1 = System.nanoTime();
        System.out.printf("batch %d: process CPU %.1f µs/step, stepping thread CPU %.1f µs/step, wall %.1f µs/step, mean loss %.4f%n",
                batch, (p1 - p0) / 1e3 / steps, (t1 - t0) / 1e3 / steps, (w1 - w0) / 1e3 / steps, loss / steps);
    }

    private static float step(Net mlp, Pixels train, int rows, int batch, int i, float[] x, float[] y, Tensor images, Tensor labels) {
        int from = (i * batch) % (rows - batch);
        train.rows(from, batch, x);
        for (int r = 0; r < batch; r++) y[r] = train.labels()[from + r];
        return mlp.step(images, labels);
    }
}
