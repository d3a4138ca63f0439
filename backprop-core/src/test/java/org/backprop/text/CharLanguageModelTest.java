package org.backprop.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.nn.Embedding;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CharLanguageModelTest {
    private static final String TEXT = "abcabcabcabd abcabcabcabd abcabcabcabd abcabcabcabd abcabcabcabd abcabcabcabd ".repeat(6);

    @Test
    void trainingLowersTheLossOfARepetitiveText() {
        TextCorpus c = TextCorpus.of("t", TEXT);
        Sequential m = CharLanguageModel.build(CharLanguageModel.Kind.LSTM, c.vocab().size(), 8, 16, 1, 0f, new Random(1));
        double before = CharLanguageModel.evaluate(m, c.validation(), 8, 4);
        double after = CharLmTrainer.train(m, c.train(), c.validation(),
                new CharLmTrainer.Config(150, 8, 8, 1e-2, 5, 1, false, 150), new CharLmTrainer.Listener() { });
        assertTrue(before > 1.3 && after < 0.5 * before, "val loss " + before + " -> " + after);
    }

    @Test
    void aTimeBudgetEndsTrainingWithOneFinalEvaluation() {
        TextCorpus c = TextCorpus.of("t", TEXT);
        Sequential m = CharLanguageModel.build(CharLanguageModel.Kind.GRU, c.vocab().size(), 4, 8, 1, 0f, new Random(5));
        int[] steps = {0}, evaluatedAt = {0, 0}; // steps taken; evaluations and the step of the last one
        double val = CharLmTrainer.train(m, c.train(), c.validation(),
                new CharLmTrainer.Config(Integer.MAX_VALUE, 8, 4, 1e-2, 5, 1, false, Integer.MAX_VALUE, 0.2), new CharLmTrainer.Listener() {
                    @Override
                    public void step(int iter, double loss, double tokensPerSecond) { steps[0] = iter; }

                    @Override
                    public void evaluated(int iter, double trainLoss, double valLoss) { evaluatedAt[0]++; evaluatedAt[1] = iter; }
                });
        assertTrue(steps[0] > 0 && steps[0] < Integer.MAX_VALUE && Double.isFinite(val), steps[0] + " steps, val " + val);
        assertEquals(1, evaluatedAt[0]);
        assertEquals(steps[0], evaluatedAt[1]);
        assertThrows(IllegalArgumentException.class, () -> new CharLmTrainer.Config(10, 8, 4, 1e-2, 5, 1, false, 5, -1));
    }

    @Test
    void carriedStateContinuesTheText() {
        TextCorpus c = TextCorpus.of("t", TEXT);
        Sequential m = CharLanguageModel.build(CharLanguageModel.Kind.GRU, c.vocab().size(), 4, 6, 2, 0f, new Random(2));
        int[] ids = java.util.Arrays.copyOf(c.ids(), 12);
        Tensor whole = CharLanguageModel.forward(m, Embedding.indices(ids, 1, 12), CharLanguageModel.State.ZERO).logits();
        var first = CharLanguageModel.forward(m, Embedding.indices(java.util.Arrays.copyOf(ids, 5), 1, 5), CharLanguageModel.State.ZERO);
        Tensor rest = CharLanguageModel.forward(m, Embedding.indices(java.util.Arrays.copyOfRange(ids, 5, 12), 1, 7),
                first.state().detach()).logits();
        float[] expected = whole.slice(0, 5, 12).toFloatArray(), got = rest.toFloatArray();
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5);
    }

    @Test
    void truncatedBpttTrainsToo() {
        TextCorpus c = TextCorpus.of("t", TEXT);
        Sequential m = CharLanguageModel.build(CharLanguageModel.Kind.RNN, c.vocab().size(), 8, 16, 1, 0f, new Random(3));
        double before = CharLanguageModel.evaluate(m, c.validation(), 8, 4);
        double after = CharLmTrainer.train(m, c.train(), c.validation(),
                new CharLmTrainer.Config(120, 8, 4, 1e-2, 5, 1, true, 60), new CharLmTrainer.Listener() { });
        assertTrue(after < 0.6 * before, "val loss " + before + " -> " + after);
    }

    @Test
    void generationIsSeededAndRejectsUnknownPromptCharacters() {
        TextCorpus c = TextCorpus.of("t", TEXT);
        Sequential m = CharLanguageModel.build(CharLanguageModel.Kind.LSTM, c.vocab().size(), 4, 8, 1, 0f, new Random(4));
        StringBuilder a = new StringBuilder(), b = new StringBuilder();
        CharLanguageModel.generate(m, c.vocab(), "ab", 40, new Sampler(1.0, 0, 9), a::append);
        CharLanguageModel.generate(m, c.vocab(), "ab", 40, new Sampler(1.0, 0, 9), b::append);
        assertEquals(40, a.codePointCount(0, a.length()));
        assertEquals(a.toString(), b.toString());
        var e = assertThrows(IllegalArgumentException.class,
                () -> CharLanguageModel.generate(m, c.vocab(), "abz", 5, new Sampler(1, 0, 1), s -> { }));
        assertTrue(e.getMessage().startsWith("the prompt: character 'z' (U+007A) at position 2"), e.getMessage());
    }
}
