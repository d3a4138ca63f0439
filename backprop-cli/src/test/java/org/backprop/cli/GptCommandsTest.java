package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --model gpt on a small text, resume, info and generate. */
class GptCommandsTest {
    @TempDir
    Path tmp;

    private Path text() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) sb.append("To be, or not to be: that is the question.\n");
        return Files.writeString(tmp.resolve("tiny.txt"), sb);
    }

    private static String[] tiny(Path data, Path out, String... more) {
        String[] base = {"train", "--model", "gpt", "--data", data.toString(), "--layers", "1", "--heads", "2", "--width", "16",
                "--context", "8", "--batch-size", "4", "--lr", "0.05", "--iters", "12", "--eval-every", "6", "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static String valLoss(String out) {
        Matcher m = Pattern.compile("(?m)^val loss (\\S+)$").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void trainsSavesResumesAndGenerates() throws IOException {
        Path data = text();
        CliRunner full = CliRunner.run(tiny(data, tmp.resolve("full"), "--checkpoint-every", "6"));
        assertEquals(0, full.exitCode(), full.err());
        assertTrue(full.out().contains("iter 6: batch loss") && full.out().contains("iter 12:"), full.out());
        double loss = Double.parseDouble(valLoss(full.out()));
        assertTrue(loss < Math.log(18) - 0.1, "below a uniform guess over the 18 characters: " + full.out());

        // resuming the finished run's checkpoint restores its weights: nothing left to train, the same loss
        CliRunner resumed = CliRunner.run(tiny(data, tmp.resolve("resumed"), "--resume",
                tmp.resolve("full").resolve("checkpoint.safetensors").toString()));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("Resuming from") && resumed.out().contains("after iteration 12"), resumed.out());
        assertEquals(valLoss(full.out()), valLoss(resumed.out()));

        // interrupted after iteration 7 (the last checkpoint of --checkpoint-every 7) and resumed: the same end
        CliRunner stopped = CliRunner.run(tiny(data, tmp.resolve("mid"), "--checkpoint-every", "7"));
        assertEquals(0, stopped.exitCode(), stopped.err());
        CliRunner rest = CliRunner.run(tiny(data, tmp.resolve("rest"), "--resume", tmp.resolve("mid").resolve("checkpoint.safetensors").toString()));
        assertEquals(0, rest.exitCode(), rest.err());
        assertTrue(rest.out().contains("after iteration 7") && rest.out().contains("Trained 5 iterations"), rest.out());
        assertEquals(valLoss(full.out()), valLoss(rest.out()));
        // bit for bit, though this JVM's kernels were compiled by now and were cold for the first run
        assertEquals(-1, java.nio.file.Files.mismatch(tmp.resolve("full").resolve(ModelLoader.MODEL_FILE),
                tmp.resolve("rest").resolve(ModelLoader.MODEL_FILE)), "the resumed run's model file differs from the uninterrupted run's");

        CliRunner info = CliRunner.run("info", "--model", tmp.resolve("full").toString());
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("GPT(vocab=18, context=8, layers=1, heads=2, width=16"), info.out());

        CliRunner gen = CliRunner.run("generate", "--model", tmp.resolve("full").toString(), "--length", "40", "--prompt", "To");
        assertEquals(0, gen.exitCode(), gen.err());
        assertEquals(2 + 40 + 1, gen.out().length(), gen.out());
        CliRunner again = CliRunner.run("generate", "--model", tmp.resolve("full").toString(), "--length", "40", "--prompt", "To",
                "--no-cache");
        assertEquals(gen.out(), again.out(), "cached and uncached sampling agree");

        CliRunner bad = CliRunner.run("generate", "--model", tmp.resolve("full").toString(), "--prompt", "Z");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("not in the model's vocabulary"), bad.err());
    }

    @Test
    void gptOptionsAreChecked() throws IOException {
        CliRunner r = CliRunner.run("train", "--model", "gpt", "--data", text().toString(), "--width", "16", "--heads", "3");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("multiple of heads"), r.err());
        r = CliRunner.run("train", "--model", "gpt", "--data", tmp.resolve("missing.txt").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
