package org.backprop.text;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * A character vocabulary: the distinct characters (Unicode code points) of a text, sorted, each
 * identified by its rank, as char-rnn and nanoGPT do. Stored in a model file as the string of its
 * characters in order ({@link #asString()}), so a saved model reads and writes the same ids.
 */
public final class Vocabulary {
    private final int[] chars;   // sorted code points; id = index

    private Vocabulary(int[] sortedCodePoints) {
        this.chars = sortedCodePoints;
    }

    /** The sorted distinct characters of {@code text}. */
    public static Vocabulary of(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        return new Vocabulary(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A vocabulary from its stored form (the characters in id order), checking that they are sorted and distinct. */
    public static Vocabulary fromString(String stored) {
        int[] cps = stored.codePoints().toArray();
        if (cps.length == 0) throw new IllegalArgumentException("vocabulary is empty");
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] <= cps[i - 1]) {
                throw new IllegalArgumentException("stored vocabulary is not sorted and distinct at character " + i);
            }
        }
        return new Vocabulary(cps);
    }

    /** The characters in id order: the form stored in model files. */
    public String asString() {
        return new String(chars, 0, chars.length);
    }

    public int size() {
        return chars.length;
    }

    /** The id of a character, or -1 when it is not in the vocabulary. */
    public int id(int codePoint) {
        int i = Arrays.binarySearch(chars, codePoint);
        return i < 0 ? -1 : i;
    }

    /** The character of an id, as a string (one or two UTF-16 units). */
    public String character(int id) {
        return new String(chars, id, 1);
    }

    /**
     * The ids of every character of {@code text}; a character outside the vocabulary is an error
     * naming it and its position ({@code where} says what the text is, e.g. "the prompt").
     */
    public int[] encode(String text, String where) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int id = id(cps[i]);
            if (id < 0) {
                throw new IllegalArgumentException(where + ": character " + describe(cps[i]) + " at position " + i
                        + " is not in the model's vocabulary of " + chars.length + " characters");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** The text of the given ids. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) sb.appendCodePoint(chars[id]);
        return sb.toString();
    }

    /** 'x' (U+0078), or just U+000A for control characters. */
    static String describe(int cp) {
        String code = String.format("U+%04X", cp);
        return Character.isISOControl(cp) || Character.isWhitespace(cp) ? code : "'" + new String(Character.toChars(cp)) + "' (" + code + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && Arrays.equals(chars, v.chars);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(chars);
    }
}
