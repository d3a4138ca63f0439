package org.backprop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.backprop.nn.Gpt;
import org.backprop.nn.GptSampler;
import org.junit.jupiter.api.Test;

class StepProfileTest {

    private static String category(String... frames) {
        String[] classes = new String[frames.length], methods = new String[frames.length];
        for (int i = 0; i < frames.length; i++) {
            int dot = frames[i].lastIndexOf('.');
            classes[i] = frames[i].substring(0, dot);
            methods[i] = frames[i].substring(dot + 1);
        }
        return StepProfile.category(classes, methods);
    }

    @Test
    void eachStackFallsInOneCategoryInnermostNamedFrameFirst() {
        // a GEMM under attention is attention's; under a linear layer it is GEMM
        assertEquals("attention", category("org.backprop.kernel.Gemm.sgemm", "org.backprop.nn.Attention.lambda$forward$2",
                "org.backprop.kernel.Parallel.run"));
        assertEquals("gemm", category("org.backprop.kernel.Gemm.sgemm", "org.backprop.tensor.MatMul.matmul", "org.backprop.nn.Linear.forward"));
        // the softmax inside attention is softmax; so is the loss's log-softmax
        assertEquals("softmax", category("org.backprop.kernel.Softmax.row", "org.backprop.nn.Attention.forward"));
        assertEquals("softmax", category("org.backprop.kernel.Vec.sum", "org.backprop.loss.CrossEntropyLoss.apply"));
        assertEquals("layernorm", category("org.backprop.kernel.Vec.dot", "org.backprop.nn.LayerNorm$$Lambda/0x1.apply",
                "org.backprop.tensor.Autograd.backward"));
        assertEquals("gelu", category("org.backprop.tensor.Elementwise.lambda$gelu$4", "org.backprop.tensor.Autograd.backward"));
        assertEquals("optimizer", category("org.backprop.kernel.Vec.axpy", "org.backprop.optim.AdamW.step"));
        assertEquals("other", category("org.backprop.tensor.Elementwise.add", "org.backprop.nn.TransformerBlock.forward"));
        // a kernel worker's share of a split product: GEMM frames under the worker's loop, no Gemm frame
        assertEquals("gemm", category("org.backprop.kernel.GemmKernels.kernel8x2", "org.backprop.kernel.GemmVector.block",
                "org.backprop.kernel.GemmVector.lambda$packed$0", "org.backprop.kernel.Parallel$Worker.run"));
        assertEquals("gemm", category("org.backprop.kernel.PackAVector.panel8", "org.backprop.kernel.GemmPack.packA",
                "org.backprop.kernel.Parallel$Worker.run"));
        // the backward run by GradClip.backwardGlobalNorm is not the optimizer's; the norm's sums in its leaf hook are
        assertEquals("gemm", category("org.backprop.kernel.Gemm.sgemm", "org.backprop.tensor.MatMul.lambda$matmul$1",
                "org.backprop.tensor.Autograd.backward", "org.backprop.optim.GradClip.backwardGlobalNorm"));
        assertEquals("optimizer", category("org.backprop.kernel.Vec.sumOfSquares", "org.backprop.optim.GradClip.sumOfSquares",
                "org.backprop.optim.GradClip.lambda$backwardGlobalNorm$0", "org.backprop.tensor.Autograd.backward",
                "org.backprop.optim.GradClip.backwardGlobalNorm"));
    }

    @Test
    void theSharesCoverEverySampleOfTheProfiledSteps() {
        Gpt model = new Gpt(new Gpt.Config(20, 16, 1, 2, 32, 0f), new Random(1));
        Map<String, Object> o = StepProfile.profile(2, () -> new GptSampler(model).generate(new int[] {1}, 30, 1.0, new Random(2), false));
        assertEquals(2, o.get("steps"));
        assertTrue((double) o.get("ms_per_step") > 0, o.toString());
        double shares = 0;
        for (String c : StepProfile.CATEGORIES) shares += (double) o.get(c + "_share");
        if ((int) o.get("samples") > 0) assertEquals(1.0, shares, 1e-9, o.toString());
    }
}
