package org.backprop.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A text as character ids with its vocabulary, split as nanoGPT and char-rnn do: the first 90%
 * for training, the last 10% for validation.
 *
 * @param name  where the text came from, for messages
 * @param vocab the sorted distinct characters
 * @param ids   every character's id, in order
 */
public record TextCorpus(String name, Vocabulary vocab, int[] ids) {

    /** The built-in text's name on the command line. */
    public static final String SHAKESPEARE = "shakespeare";

    /** The fraction of the text used for training; the rest, at the end, is the validation text. */
    public static final double TRAIN_FRACTION = 0.9;

    /** Tiny Shakespeare (1,115,394 characters, 65 distinct), embedded; see data/SOURCES.md. */
    public static TextCorpus shakespeare() {
        try (InputStream in = TextCorpus.class.getResourceAsStream("/org/backprop/data/tinyshakespeare.txt.gz")) {
            if (in == null) throw new IllegalStateException("the embedded tinyshakespeare.txt.gz is missing from the jar");
            return of(SHAKESPEARE, decode(new GZIPInputStream(in).readAllBytes(), SHAKESPEARE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded Tiny Shakespeare: " + e.getMessage(), e);
        }
    }

    /**
     * A UTF-8 text file; an error (one line, naming the file) when it is missing, not valid UTF-8
     * (with the byte offset) or empty.
     */
    public static TextCorpus load(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        return of(file.toString(), decode(bytes, file.toString()));
    }

    /** A corpus of the given text with the text's own vocabulary. */
    public static TextCorpus of(String name, String text) {
        if (text.isEmpty()) throw new IllegalArgumentException(name + ": the text is empty");
        Vocabulary vocab = Vocabulary.of(text);
        return new TextCorpus(name, vocab, vocab.encode(text, name));
    }

    /** A text read with a saved model's vocabulary: a character the model does not know is an error. */
    public static TextCorpus withVocabulary(String name, String text, Vocabulary vocab) {
        if (text.isEmpty()) throw new IllegalArgumentException(name + ": the text is empty");
        return new TextCorpus(name, vocab, vocab.encode(text, name));
    }

    /** Strict UTF-8: malformed input is an error naming the byte offset, not a replacement character. */
    static String decode(byte[] bytes, String name) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            String s = decoder.decode(in).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s; // a byte-order mark is not text
        } catch (MalformedInputException e) {
            int at = in.position();
            String what = at < bytes.length ? "invalid byte 0x" + String.format("%02X", bytes[at] & 0xFF) : "truncated character";
            throw new IllegalArgumentException(name + ": not UTF-8 text (" + what + " at byte offset " + at + ")");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + ": not UTF-8 text (" + e.getMessage() + ")");
        }
    }

    public int length() {
        return ids.length;
    }

    /** The ids of the first 90%, as in the peer: ⌊0.9·n⌋ characters. */
    public int[] train() {
        return Arrays.copyOfRange(ids, 0, trainSize());
    }

    /** The ids of the last 10%. */
    public int[] validation() {
        return Arrays.copyOfRange(ids, trainSize(), ids.length);
    }

    private int trainSize() {
        return (int) (ids.length * TRAIN_FRACTION);
    }
}
