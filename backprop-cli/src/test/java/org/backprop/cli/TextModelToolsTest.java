package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --plots, --report, the per-time-step gradient monitor, gradcheck and evaluate on the text models (LSTM and GPT). */
class TextModelToolsTest {
    @TempDir
    Path tmp;

    private static final String TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n".repeat(20);

    @Test
    void anLstmRunReportsItsCurvesTheGradientThroughTimeAndASampleAndPassesGradcheck() throws Exception {
        Path text = Files.writeString(tmp.resolve("poem.txt"), TEXT), out = tmp.resolve("lstm");
        CliRunner train = CliRunner.run("train", "--data", text.toString(), "--model", "lstm", "--iters", "20", "--eval-every", "10",
                "--seq-len", "12", "--batch-size", "4", "--hidden", "16", "--embed", "8", "--lr", "0.01", "--out", out.toString(),
                "--plots", "--report");
        assertEquals(0, train.exitCode(), train.err());
        // one line per recurrent layer: the gradient reaching steps 12, ..., 1, every value a positive number
        for (String layer : new String[] {"1.l0", "1.l1"}) {
            Matcher m = Pattern.compile("gradient reaching each step, ‖∂L/∂h_t‖ \\(layer " + Pattern.quote(layer) + "\\):((?: t=\\d+ \\S+)+)")
                    .matcher(train.out());
            assertTrue(m.find(), train.out());
            assertTrue(m.group(1).startsWith(" t=12 ") && m.group(1).contains(" t=1 "), m.group(1));
            for (String v : m.group(1).replaceAll("t=\\d+ ", "").strip().split(" ")) assertTrue(Double.parseDouble(v) > 0, v);
        }
        assertTrue(Files.size(out.resolve("loss.png")) > 1000 && Files.size(out.resolve("gradient-through-time.png")) > 1000);
        String html = Files.readString(out.resolve("report.html"));
        for (String s : new String[] {"Sampled passage", "<pre class=\"sample\">", "data:image/png;base64,", "<td>10</td>", "<td>20</td>",
                "nats per character"}) {
            assertTrue(html.contains(s), "report lacks " + s);
        }
        CliRunner check = CliRunner.run("gradcheck", "--model", out.toString(), "--max-elements", "20");
        assertEquals(0, check.exitCode(), check.out() + check.err());
        assertTrue(check.out().contains("character language model, vocabulary of 23") && check.out().contains("PASS: all 11 parameters"),
                check.out());
    }

    @Test
    void aGptRunReportsAndItsModelIsEvaluatedAndGradchecked() throws Exception {
        Path text = Files.writeString(tmp.resolve("poem.txt"), TEXT), out = tmp.resolve("gpt");
        CliRunner train = CliRunner.run("train", "--model", "gpt", "--data", text.toString(), "--layers", "1", "--heads", "2", "--width", "16",
                "--context", "8", "--batch-size", "4", "--lr", "0.05", "--iters", "12", "--eval-every", "6", "--out", out.toString(),
                "--plots", "--report");
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(Files.exists(out.resolve("loss.png")), train.out());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Sampled passage") && html.contains("GPT(vocab=23") && html.contains("<td>12</td>"), html);

        CliRunner eval = CliRunner.run("evaluate", "--model", out.toString(), "--data", text.toString());
        assertEquals(0, eval.exitCode(), eval.err());
        Matcher m = Pattern.compile("val loss (\\S+) nats/char, perplexity (\\S+)").matcher(eval.out());
        assertTrue(m.find() && eval.out().contains("GPT"), eval.out());
        double loss = Double.parseDouble(m.group(1));
        assertTrue(loss > 0 && loss < Math.log(23), "below a uniform guess: " + eval.out());
        assertEquals(Math.exp(loss), Double.parseDouble(m.group(2)), 0.01);

        CliRunner check = CliRunner.run("gradcheck", "--model", out.toString(), "--max-elements", "20");
        assertEquals(0, check.exitCode(), check.out() + check.err());
        assertTrue(check.out().contains("GPT, vocabulary of 23") && check.out().contains("PASS: all 16 parameters"), check.out());
    }
}
