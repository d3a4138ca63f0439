package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same bits, whatever the number of kernel threads: a convolution's gradients on the
 * im2col path (the spoken-digit CNN's first layer takes it) are summed over groups of images fixed
 * by the batch size, not over one range per thread. The thread count is fixed when the kernels
 * load, so each count runs in a JVM of its own.
 */
class Conv2dThreadCountTest {

    @Test
    void theGradientsDoNotDependOnTheThreadCount() throws Exception {
        String one = run(1), three = run(3);
        assertTrue(one.startsWith("bits "), one);
        assertEquals(one, three, "1 thread against 3");
    }

    private static String run(int threads) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Dbackprop.threads=" + threads,
                "-Dbackprop.convWeight=im2col", "-Dbackprop.split=fixed"));
        String extra = System.getProperty("backprop.vectorBits");
        if (extra != null) cmd.add("-Dbackprop.vectorBits=" + extra);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child finished");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text.lines().filter(l -> l.startsWith("bits ")).findFirst().orElse(text);
    }

    /** One forward and backward pass of a 4 → 16, 3×3, pad 1 convolution over 13 images; prints its gradients' hashes. */
    static final class Child {
        public static void main(String[] args) {
            Random rng = new Random(5);
            Conv2d conv = new Conv2d(4, 16, Window2d.of(3, 1, 1), true, rng);
            Tensor x = Tensor.randn(rng, 13, 4, 40, 50).requiresGrad(true);
            Tensor y = conv.forward(x);
            y.mul(Tensor.randn(rng, y.shape())).sum().backward();
            System.out.println("bits " + Arrays.hashCode(x.grad().toFloatArray()) + " " + Arrays.hashCode(conv.weight.grad().toFloatArray())
                    + " " + Arrays.hashCode(conv.bias.grad().toFloatArray()));
        }
    }
}
