package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train / generate / evaluate / info on a character language model trained briefly on a small text file. */
class TextCommandsTest {
    @TempDir
    Path tmp;

    private static final String TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n".repeat(20);

    @Test
    void trainGenerateEvaluateAndInfoOnATextFile() throws Exception {
        Path text = tmp.resolve("poem.txt");
        Files.writeString(text, TEXT);
        Path out = tmp.resolve("run");
        CliRunner train = CliRunner.run("train", "--data", text.toString(), "--model", "gru", "--iters", "30", "--eval-every", "15",
                "--seq-len", "16", "--batch-size", "8", "--hidden", "24", "--embed", "12", "--lr", "0.01", "--out", out.toString());
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.out().contains("iter 15/30: train loss"), train.out());
        assertTrue(train.out().matches("(?s).*val loss \\d+\\.\\d{4} \\(perplexity.*"), train.out());

        CliRunner gen = CliRunner.run("generate", "--model", out.toString(), "--prompt", "To be", "--length", "50", "--seed", "3");
        assertEquals(0, gen.exitCode(), gen.err());
        assertTrue(gen.out().startsWith("To be") && gen.out().strip().codePointCount(0, gen.out().strip().length()) >= 50, gen.out());
        assertEquals(gen.out(), CliRunner.run("generate", "--model", out.toString(), "--prompt", "To be", "--length", "50", "--seed", "3").out());

        CliRunner eval = CliRunner.run("evaluate", "--model", out.toString(), "--data", text.toString());
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().contains("validation part (last 10%)") && eval.out().contains("perplexity"), eval.out());

        CliRunner info = CliRunner.run("info", "--model", out.toString());
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("GRU(input=12, hidden=24, layers=2, batchFirst)"), info.out());

        CliRunner unknown = CliRunner.run("generate", "--model", out.toString(), "--prompt", "Zebra");
        assertEquals(1, unknown.exitCode());
        assertEquals("backprop: the prompt: character 'Z' (U+005A) at position 0 is not in the model's vocabulary of 23 characters",
                unknown.err().strip());
    }

    @Test
    void aTimeBudgetTrainsUntilItIsSpent() throws Exception {
        Path text = tmp.resolve("poem.txt");
        Files.writeString(text, TEXT);
        CliRunner train = CliRunner.run("train", "--data", text.toString(), "--model", "rnn", "--time", "1s", "--eval-every", "1000000",
                "--seq-len", "16", "--batch-size", "4", "--hidden", "8", "--embed", "4");
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.out().contains("Recipe: batches of 4 windows of 16 characters (random starts, zero state) for 0:01 of training,"), train.out());
        // one evaluation, after the step that spent the budget, then the final figure
        assertTrue(train.out().matches("(?s).*\\niter \\d+: train loss \\d+\\.\\d+, val loss \\d+\\.\\d+ nats/char.*val loss \\d+\\.\\d{4} \\(perplexity.*"),
                train.out());
        assertEquals(600.0, TextOptions.seconds("10m"));
        assertEquals(5400.0, TextOptions.seconds("1h30m"));
        assertEquals(5400.0, TextOptions.seconds("1.5h"));
        assertEquals(90.0, TextOptions.seconds("90"));
        for (String bad : new String[] {"", "10x", "m", "0", "0s", "10m5", "-5"}) {
            CliRunner r = CliRunner.run("train", "--data", text.toString(), "--model", "rnn", "--time", bad);
            assertEquals(1, r.exitCode(), bad);
            assertEquals("backprop: --time " + bad + " is not a positive duration; write it as 10m, 90s, 1h30m or a number of seconds", r.err().strip());
        }
        CliRunner gpt = CliRunner.run("train", "--data", text.toString(), "--model", "gpt", "--time", "10m");
        assertEquals("backprop: --time is for lstm, gru and rnn; a GPT's learning-rate schedule is set by --iters", gpt.err().strip());
        CliRunner mlp = CliRunner.run("train", "--time", "10m");
        assertEquals("backprop: --time is for text models (lstm, gru, rnn); this model trains by --epochs", mlp.err().strip());
    }

    @Test
    void badTextInputsAreOneLineErrors() throws Exception {
        Path bad = tmp.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', (byte) 0xFF, 'b'});
        CliRunner r = CliRunner.run("train", "--data", bad.toString(), "--iters", "1");
        assertEquals(1, r.exitCode());
        assertEquals("backprop: " + bad + ": not UTF-8 text (invalid byte 0xFF at byte offset 1)", r.err().strip());
        Path tiny = tmp.resolve("tiny.txt");
        Files.writeString(tiny, "short text");
        CliRunner s = CliRunner.run("train", "--data", tiny.toString(), "--iters", "1");
        assertEquals(1, s.exitCode());
        assertTrue(s.err().startsWith("backprop: the training text has 9 characters, shorter than one window of 65"), s.err());
    }
}
