package org.backprop.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextDataTest {
    @TempDir
    Path tmp;

    @Test
    void vocabularyIsSortedAndRoundTrips() {
        Vocabulary v = Vocabulary.of("hello, wörld 😀");
        assertEquals(" ,dehlorwö😀", v.asString());
        assertEquals(v, Vocabulary.fromString(v.asString()));
        int[] ids = v.encode("hold 😀", "test");
        assertEquals("hold 😀", v.decode(ids));
        var e = assertThrows(IllegalArgumentException.class, () -> v.encode("hex", "the prompt"));
        assertEquals("the prompt: character 'x' (U+0078) at position 2 is not in the model's vocabulary of 11 characters", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.fromString("ba"));
    }

    @Test
    void shakespeareIsBuiltInAndSplitNinetyTen() {
        TextCorpus c = TextCorpus.shakespeare();
        assertEquals(1_115_394, c.length());
        assertEquals(65, c.vocab().size());
        assertEquals(1_003_854, c.train().length);
        assertEquals(111_540, c.validation().length);
        assertEquals("First Citizen:", c.vocab().decode(java.util.Arrays.copyOf(c.ids(), 14)));
    }

    @Test
    void badTextFilesGetOneLineErrors() throws Exception {
        Path latin1 = tmp.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'a', 'b', (byte) 0xE9, 'c'});
        var e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.load(latin1));
        assertEquals(latin1 + ": not UTF-8 text (invalid byte 0xE9 at byte offset 2)", e.getMessage());
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TextCorpus.load(empty)).getMessage().endsWith("the text is empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TextCorpus.load(tmp.resolve("none.txt"))).getMessage()
                .endsWith("no such file"));
        var shortText = assertThrows(IllegalArgumentException.class, () -> TextWindows.of(new int[10], 64, 4, "the training text"));
        assertTrue(shortText.getMessage().startsWith("the training text has 10 characters, shorter than one window of 65"), shortText.getMessage());
    }

    @Test
    void windowsPairInputsWithTheNextCharacter() {
        int[] ids = new int[100];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        TextWindows w = TextWindows.of(ids, 5, 3, "t");
        TextWindows.Batch b = w.at(new int[] {0, 10, 94});
        assertArrayEquals(new int[] {3, 5}, b.inputs().shape());
        assertEquals(96f, b.inputs().get(2, 2));
        assertEquals(97f, b.targets().get(2 * 5 + 2));
        // random: seeded, in range
        TextWindows.Batch r1 = w.random(new Random(3)), r2 = w.random(new Random(3));
        assertArrayEquals(r1.inputs().toFloatArray(), r2.inputs().toFloatArray());
        // consecutive: each stream's next window continues the previous one
        TextWindows.Batch c0 = w.consecutive(0), c1 = w.consecutive(1);
        for (int s = 0; s < 3; s++) assertEquals(c0.inputs().get(s, 4) + 1, c1.inputs().get(s, 0));
        assertTrue(w.startsPass(0) && !w.startsPass(1) && w.startsPass(w.windowsPerStream()));
    }

    @Test
    void samplerIsSeededAndHonoursTopKAndTemperature() {
        float[] logits = {0f, 1f, 2f, 3f};
        Sampler a = new Sampler(1.0, 0, 7), b = new Sampler(1.0, 0, 7);
        int[] counts = new int[4];
        for (int i = 0; i < 2000; i++) {
            int x = a.next(logits, 0, 4);
            assertEquals(x, b.next(logits, 0, 4));
            counts[x]++;
        }
        assertTrue(counts[0] > 0 && counts[3] > counts[2] && counts[2] > counts[1], java.util.Arrays.toString(counts));
        Sampler top2 = new Sampler(1.0, 2, 1);
        for (int i = 0; i < 200; i++) assertTrue(top2.next(logits, 0, 4) >= 2);
        assertEquals(3, new Sampler(0, 0, 1).next(logits, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(-1, 0, 1));
        assertNotEquals(-1, new Sampler(0.01, 0, 1).next(new float[] {5f, 5f}, 0, 2));
    }
}
