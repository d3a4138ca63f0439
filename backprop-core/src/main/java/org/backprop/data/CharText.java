package org.backprop.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A text as a sequence of character tokens, as nanoGPT's shakespeare_char: the vocabulary is the
 * text's distinct characters (Unicode code points) in sorted order, token i the i-th of them.
 * The first 90% of the tokens train and the last 10% validate ({@link #split}).
 */
public final class CharText {
    private final int[] vocabulary; // code points, sorted
    private final Map<Integer, Integer> index = new HashMap<>();
    private final int[] tokens;

    private CharText(int[] vocabulary, int[] tokens) {
        this.vocabulary = vocabulary;
        for (int i = 0; i < vocabulary.length; i++) index.put(vocabulary[i], i);
        this.tokens = tokens;
    }

    /** The text's own vocabulary and its tokens. */
    public static CharText of(String text) {
        int[] vocabulary = text.codePoints().distinct().sorted().toArray();
        CharText t = new CharText(vocabulary, new int[0]);
        return new CharText(vocabulary, t.encode(text));
    }

    /** A vocabulary without text, e.g. one read from a model file, to encode prompts and decode output. */
    public static CharText vocabulary(int[] codePoints) {
        int[] sorted = codePoints.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0 || !Arrays.equals(sorted, codePoints) || Arrays.stream(sorted).distinct().count() != sorted.length) {
            throw new IllegalArgumentException("a character vocabulary must be non-empty, sorted and without repeats");
        }
        return new CharText(codePoints.clone(), new int[0]);
    }

    /** The built-in Tiny Shakespeare (1,115,394 characters, 65 distinct; see data/SOURCES.md). */
    public static CharText shakespeare() {
        try (InputStream in = CharText.class.getResourceAsStream("tinyshakespeare.txt.gz")) {
            if (in == null) throw new IllegalStateException("the built-in tinyshakespeare.txt.gz is missing from the jar");
            return of(new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "shakespeare" or a UTF-8 text file. */
    public static CharText load(String data) throws IOException {
        if (data.equals("shakespeare")) return shakespeare();
        Path file = Path.of(data);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--data: no file " + data + " (give a UTF-8 text file or 'shakespeare')");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(data + " is not UTF-8 text");
        }
        if (text.codePoints().count() < 100) {
            throw new IllegalArgumentException(data + " holds " + text.codePoints().count()
                    + " characters: a language model needs a text of at least 100");
        }
        return of(text);
    }

    public int[] tokens() {
        return tokens;
    }

    public int vocabSize() {
        return vocabulary.length;
    }

    /** The vocabulary's code points, in token order. */
    public int[] codePoints() {
        return vocabulary.clone();
    }

    /** The first 90% of the tokens (nanoGPT's split) when {@code train}, else the last 10%. */
    public int[] split(boolean train) {
        int n = (int) (tokens.length * 0.9);
        return train ? Arrays.copyOfRange(tokens, 0, n) : Arrays.copyOfRange(tokens, n, tokens.length);
    }

    /** Tokens of {@code s}; a character outside the vocabulary is an error naming it. */
    public int[] encode(String s) {
        return s.codePoints().map(c -> {
            Integer i = index.get(c);
            if (i == null) {
                throw new IllegalArgumentException("the character '" + new String(Character.toChars(c)) + "' (U+"
                        + String.format("%04X", c) + ") is not in the model's vocabulary of " + vocabulary.length);
            }
            return i;
        }).toArray();
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.appendCodePoint(vocabulary[id]);
        return sb.toString();
    }
}
