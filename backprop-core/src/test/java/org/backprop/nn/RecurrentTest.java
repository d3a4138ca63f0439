package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Fixtures;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class RecurrentTest {

    static Recurrent make(Recurrent.Cell cell, int in, int hid, int layers, boolean bi, boolean batchFirst, Random rng) {
        return switch (cell) {
            case LSTM -> new LSTM(in, hid, layers, bi, batchFirst, 0f, rng);
            case GRU -> new GRU(in, hid, layers, bi, batchFirst, 0f, rng);
            case RNN_TANH, RNN_RELU -> new RNN(in, hid, layers, cell == Recurrent.Cell.RNN_RELU, bi, batchFirst, 0f, rng);
        };
    }

    /** Every input of the layer (sequence, initial states, every parameter) against finite differences, lengths included. */
    private static void gradcheck(Recurrent.Cell cell, int hid, int layers, boolean bi, int[] lengths, long seed) {
        Random rng = new Random(seed);
        int steps = 4, batch = 3, in = 2, states = layers * (bi ? 2 : 1);
        Recurrent m = make(cell, in, hid, layers, bi, false, rng);
        Tensor x = Fixtures.uniform(rng, -1, 1, steps, batch, in);
        Tensor h0 = Fixtures.uniform(rng, -0.5, 0.5, states, batch, hid);
        Tensor c0 = cell == Recurrent.Cell.LSTM ? Fixtures.uniform(rng, -0.5, 0.5, states, batch, hid) : null;
        List<Tensor> inputs = new ArrayList<>(List.of(x, h0));
        if (c0 != null) inputs.add(c0);
        for (Parameter p : m.parameters()) inputs.add(p.value());
        Tensor wOut = Tensor.randn(rng, steps, batch, (bi ? 2 : 1) * hid), wState = Tensor.randn(rng, states, batch, hid);
        double worst = GradCheck.check(t -> { // output and final states, each weighted
            Recurrent.Output o = m.forward(x, h0, c0, lengths);
            Tensor y = o.output().mul(wOut).sum().add(o.h().mul(wState).sum());
            return o.c() == null ? y : y.add(o.c().mul(wState).sum().mul(0.5f));
        }, inputs.toArray(Tensor[]::new));
        assertTrue(worst <= 1, cell + " gradcheck " + worst);
    }

    @ParameterizedTest
    @EnumSource(Recurrent.Cell.class)
    void twoLayerBidirectionalPassesGradCheck(Recurrent.Cell cell) {
        gradcheck(cell, 3, 2, true, null, 1);
        gradcheck(cell, 3, 2, true, new int[] {2, 4, 1}, 2);
    }

    /**
     * Hidden 17: the vectorised gate loops (whole vectors and a tail). Not the ReLU RNN: among its
     * 200 pre-activations a finite-difference step crosses a kink (its vector path is checked
     * against PyTorch in RecurrentParityTest instead).
     */
    @ParameterizedTest
    @EnumSource(value = Recurrent.Cell.class, names = {"RNN_TANH", "LSTM", "GRU"})
    void wideLayerPassesGradCheck(Recurrent.Cell cell) {
        gradcheck(cell, 17, 1, false, new int[] {4, 3, 4}, 3);
    }

    @ParameterizedTest
    @EnumSource(Recurrent.Cell.class)
    void paddingChangesNothing(Recurrent.Cell cell) {
        Random rng = new Random(4);
        Recurrent m = make(cell, 3, 5, 2, true, true, rng);
        Tensor x = Tensor.randn(rng, 2, 6, 3);
        int[] lengths = {6, 3};
        Recurrent.Output a = m.forward(x, null, null, lengths);
        Tensor y = x.copy();
        for (int t = 3; t < 6; t++) for (int i = 0; i < 3; i++) y.set(100f + t, 1, t, i); // other padding
        Recurrent.Output b = m.forward(y, null, null, lengths);
        assertArrayEquals(a.output().toFloatArray(), b.output().toFloatArray());
        assertArrayEquals(a.h().toFloatArray(), b.h().toFloatArray());
        // entry 1 alone, cut to its length, gives the same states
        Recurrent.Output alone = m.forward(x.slice(0, 1, 2).slice(1, 0, 3).contiguous(), null, null, null);
        float[] full = a.output().slice(0, 1, 2).slice(1, 0, 3).toFloatArray();
        float[] cut = alone.output().toFloatArray();
        for (int i = 0; i < cut.length; i++) assertEquals(cut[i], full[i], 1e-6);
        float[] padded = a.output().slice(0, 1, 2).slice(1, 3, 6).toFloatArray();
        assertArrayEquals(new float[padded.length], padded, "outputs after the length are 0");
        for (int s = 0; s < 4; s++) {
            assertArrayEquals(alone.h().slice(0, s, s + 1).toFloatArray(), a.h().slice(0, s, s + 1).slice(1, 1, 2).toFloatArray(), 1e-6f);
        }
    }

    /**
     * A batch large enough for its steps to be split over the kernel threads gives each entry
     * the values and gradients it gets alone (a batch of one runs on one thread).
     */
    @ParameterizedTest
    @EnumSource(value = Recurrent.Cell.class, names = {"RNN_TANH", "LSTM", "GRU"})
    void rowSplitStepsMatchEachEntryAlone(Recurrent.Cell cell) {
        Random rng = new Random(13);
        int batch = 16, steps = 3, hid = 64;
        Recurrent m = make(cell, 5, hid, 1, true, true, rng);
        Tensor x = Tensor.randn(rng, batch, steps, 5);
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) lengths[b] = 1 + b % steps;
        Tensor w = Tensor.randn(rng, batch, steps, 2 * hid);
        m.forward(x, null, null, lengths).output().mul(w).sum().backward();
        float[] together = m.parameters().get(1).grad().toFloatArray();
        Tensor y = m.forward(x, null, null, lengths).output();
        m.zeroGrad();
        float[] alone = new float[together.length];
        for (int b = 0; b < batch; b++) {
            Tensor xb = x.slice(0, b, b + 1).contiguous();
            Tensor yb = m.forward(xb, null, null, new int[] {lengths[b]}).output();
            float[] expected = y.slice(0, b, b + 1).toFloatArray(), got = yb.toFloatArray();
            for (int i = 0; i < got.length; i++) assertEquals(got[i], expected[i], 1e-6, "entry " + b);
            yb.mul(w.slice(0, b, b + 1)).sum().backward();
        }
        float[] summed = m.parameters().get(1).grad().toFloatArray();
        for (int i = 0; i < summed.length; i++) assertEquals(summed[i], together[i], 1e-4, "weight_hh gradient " + i);
    }

    @Test
    void batchFirstIsTheTransposeOfTimeMajor() {
        LSTM tm = new LSTM(3, 4, 2, true, false, 0f, new Random(5));
        LSTM bf = new LSTM(3, 4, 2, true, true, 0f, new Random(5));
        Tensor x = Tensor.randn(new Random(6), 5, 2, 3);
        float[] a = tm.forward(x).transpose(0, 1).toFloatArray();
        float[] b = bf.forward(x.transpose(0, 1).contiguous()).toFloatArray();
        assertArrayEquals(a, b);
    }

    /** Truncated BPTT: windows run one after another with the state carried (detached) give the whole sequence's values. */
    @Test
    void carriedStateContinuesTheSequence() {
        LSTM m = new LSTM(2, 6, 2, false, false, 0f, new Random(7));
        Tensor x = Tensor.randn(new Random(8), 8, 3, 2);
        Recurrent.Output whole = m.forward(x, null, null, null);
        Recurrent.Output first = m.forward(x.slice(0, 0, 4).contiguous(), null, null, null);
        Recurrent.Output second = m.forward(x.slice(0, 4, 8).contiguous(), first.h().detach(), first.c().detach(), null);
        float[] expected = whole.output().slice(0, 4, 8).toFloatArray(), got = second.output().toFloatArray();
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-6);
        second.output().sum().backward();
        assertNull(first.output().grad(), "no gradient crosses into the previous window");
        assertTrue(m.parameters().get(0).grad() != null);
    }

    @Test
    void namesShapesAndInitFollowPyTorch() {
        GRU g = new GRU(3, 5, 2, true, false, 0f, new Random(9));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"),
                List.copyOf(g.namedParameters().keySet()));
        assertArrayEquals(new int[] {15, 3}, g.namedParameters().get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {15, 10}, g.namedParameters().get("weight_ih_l1").shape());
        assertArrayEquals(new int[] {15, 5}, g.namedParameters().get("weight_hh_l1_reverse").shape());
        double bound = 1 / Math.sqrt(5), max = 0;
        for (Parameter p : g.parameters()) for (float v : p.data()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.9 * bound, "U(-1/sqrt(H), 1/sqrt(H)), largest |value| " + max);
        assertEquals(4 * (4 * 6 * 3 + 4 * 6 * 6 + 2 * 4 * 6), new LSTM(3, 6, 1, false, false, 0f, new Random(1)).parameterCount() * 4);
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        LSTM m = new LSTM(2, 8, 2, false, false, 0.5f, new Random(10));
        LSTM plain = new LSTM(2, 8, 2, false, false, 0f, new Random(10));
        Tensor x = Tensor.randn(new Random(11), 5, 2, 2);
        m.eval();
        assertArrayEquals(plain.forward(x).toFloatArray(), m.forward(x).toFloatArray());
        m.train();
        assertNotEquals(java.util.Arrays.toString(plain.forward(x).toFloatArray()), java.util.Arrays.toString(m.forward(x).toFloatArray()));
        LSTM one = new LSTM(2, 8, 1, false, false, 0.5f, new Random(10));
        LSTM onePlain = new LSTM(2, 8, 1, false, false, 0f, new Random(10));
        assertArrayEquals(onePlain.forward(x).toFloatArray(), one.forward(x).toFloatArray(), "no dropout after the last layer");
    }

    @Test
    void badInputsAreNamed() {
        LSTM m = new LSTM(3, 4, 2, false, false, 0f, new Random(12));
        Tensor x = Tensor.zeros(5, 2, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(5, 2, 4))).getMessage().contains("[steps, batch, 3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(x, Tensor.zeros(1, 2, 4), null, null))
                .getMessage().contains("h0 must be [2, 2, 4]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(x, null, null, new int[] {5, 0}))
                .getMessage().contains("length 0 of batch entry 1"));
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4, new Random(0)).forward(x, null, Tensor.zeros(1, 2, 4), null));
        assertArrayEquals(new int[] {3, 1}, Recurrent.lengthsFromMask(Tensor.of(new float[][] {{1, 1, 1}, {1, 0, 0}})));
        assertThrows(IllegalArgumentException.class, () -> Recurrent.lengthsFromMask(Tensor.of(new float[][] {{1, 0, 1}})));
    }
}
