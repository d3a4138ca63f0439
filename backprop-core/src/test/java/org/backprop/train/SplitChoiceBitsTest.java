package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.backprop.kernel.Parallel;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Gpt;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.optim.Adam;
import org.backprop.optim.AdamW;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Whether each parallel call splits over the kernel threads or runs on the caller is chosen at
 * run time; the weights after a few training steps are the same bits with every call split,
 * with none split, and with the adaptive choice: LeNet (convolution, pooling, linear layers,
 * Adam), the batch-normalised CNN (batch norm, dropout) and a small GPT (layer norm, attention,
 * GELU, AdamW with clipping), at batch sizes large enough for their loops to split.
 */
class SplitChoiceBitsTest {

    /** The weights, as raw bits, after {@code steps} steps of {@code model} on seeded data. */
    private static int[] train(Parallel.Split split, Supplier<Module> make, int batch, int[] shape, int classes,
                               boolean tokens, boolean gpt, int steps) {
        Parallel.Split old = Parallel.setSplit(split);
        try {
            Module model = make.get();
            List<Parameter> params = model.parameters();
            Optimizer opt = gpt ? new AdamW(params, 1e-3).clipGradNorm(1.0) : new Adam(params, 1e-3);
            CrossEntropyLoss loss = new CrossEntropyLoss();
            Random data = new Random(3);
            int per = 1;
            for (int d : shape) per *= d;
            int[] full = new int[shape.length + 1];
            full[0] = batch;
            System.arraycopy(shape, 0, full, 1, shape.length);
            int targets = gpt ? batch * shape[0] : batch;
            for (int s = 0; s < steps; s++) {
                float[] x = new float[batch * per], y = new float[targets];
                for (int i = 0; i < x.length; i++) x[i] = tokens ? data.nextInt(classes) : data.nextFloat();
                for (int i = 0; i < y.length; i++) y[i] = data.nextInt(classes);
                opt.zeroGrad();
                Tensor out = model.forward(Tensor.of(x, full));
                if (gpt) out = out.reshape(targets, classes);
                loss.apply(out, Tensor.of(y, targets)).backward();
                opt.step();
            }
            int total = params.stream().mapToInt(Parameter::numel).sum(), at = 0;
            int[] bits = new int[total];
            for (Parameter p : params) for (float v : p.value().toFloatArray()) bits[at++] = Float.floatToRawIntBits(v);
            return bits;
        } finally {
            Parallel.setSplit(old);
        }
    }

    /** The adaptive choice splits some calls and not others, so it is checked where it is cheapest. */
    private static void check(String name, Supplier<Module> make, int batch, int[] shape, int classes, boolean tokens, boolean gpt,
                              boolean adaptive) {
        int[] fixed = train(Parallel.Split.FIXED, make, batch, shape, classes, tokens, gpt, 2);
        assertArrayEquals(fixed, train(Parallel.Split.SERIAL, make, batch, shape, classes, tokens, gpt, 2),
                name + ": every call on one thread differs from every call split");
        if (adaptive) {
            assertArrayEquals(fixed, train(Parallel.Split.ADAPTIVE, make, batch, shape, classes, tokens, gpt, 2),
                    name + ": the adaptive choice differs from every call split");
        }
    }

    @Test
    void lenetGivesTheSameBitsSplitOrNot() {
        check("lenet5", () -> Models.lenet5(new Random(11)), 32, new int[] {1, 28, 28}, 10, false, false, false);
    }

    @Test
    void batchNormCnnGivesTheSameBitsSplitOrNot() {
        check("smallCnn", () -> Models.smallCnn(new Random(12)), 16, new int[] {1, 28, 28}, 10, false, false, true);
    }

    @Test
    void gptGivesTheSameBitsSplitOrNot() {
        check("gpt", () -> new Gpt(new Gpt.Config(65, 32, 1, 2, 64, 0f), new Random(13)), 8, new int[] {32}, 65, true, true, false);
    }
}
