package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

    @Test
    void matchesPyTorchOnValuesAndGradients() {
        TorchFixture f = TorchFixture.load("embedding");
        Embedding emb = new Embedding(f.integer("num"), f.integer("dim"), f.integer("padding_idx"), new Random(0));
        emb.loadStateDict(f.tensors("params"));
        Tensor out = emb.forward(f.tensor("indices"));
        TorchFixture.assertClose(f.tensor("output"), out, 1e-5, "output");
        out.mul(f.tensor("w_out")).sum().backward();
        TorchFixture.assertClose(f.tensors("grads").get("weight"), emb.weight.grad(), 1e-4, "weight gradient");
    }

    @Test
    void gradientAddsIntoUsedRowsOnlyAndSkipsThePaddingRow() {
        Embedding emb = new Embedding(6, 3, 4, new Random(1));
        float[] padding = emb.weight.value().slice(0, 4, 5).toFloatArray();
        assertArrayEquals(new float[3], padding, "the padding row starts at zero");
        Tensor ids = Embedding.indices(new int[] {1, 4, 1, 3}, 2, 2);
        emb.forward(ids).sum().backward();
        float[] g = emb.weight.grad().toFloatArray();
        float[] expected = {0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}; // row 1 twice, row 3 once, row 4 is padding
        assertArrayEquals(expected, g);
    }

    @Test
    void passesGradCheck() {
        Embedding emb = new Embedding(7, 5, new Random(2));
        Tensor ids = Embedding.indices(new int[] {0, 6, 2, 2, 5, 0}, 3, 2);
        double worst = GradCheck.check(in -> emb.forward(ids).tanh(), emb.weight.value());
        assertTrue(worst <= 1);
    }

    @Test
    void outputAppendsTheEmbeddingAxis() {
        Embedding emb = new Embedding(5, 3, new Random(3));
        Tensor out = emb.forward(Embedding.indices(new int[] {4, 0, 1}, 3));
        assertArrayEquals(new int[] {3, 3}, out.shape());
        assertArrayEquals(emb.weight.value().slice(0, 4, 5).toFloatArray(), out.slice(0, 0, 1).toFloatArray());
        assertEquals(Map.of("weight", emb.weight).keySet(), emb.namedParameters().keySet());
    }

    @Test
    void badIndicesAreNamed() {
        Embedding emb = new Embedding(5, 3, new Random(4));
        var e = assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new float[] {1, 5}, 2)));
        assertTrue(e.getMessage().contains("index 5.0 at position 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new float[] {1.5f}, 1)));
        assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new float[] {-1}, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 3, 5, new Random(0)));
    }

    @Test
    void noGradientWithoutGrad() {
        Embedding emb = new Embedding(5, 3, new Random(5));
        try (var ignored = org.backprop.autograd.GradMode.noGrad()) {
            assertNull(emb.forward(Embedding.indices(new int[] {1}, 1)).gradFn());
        }
    }
}
