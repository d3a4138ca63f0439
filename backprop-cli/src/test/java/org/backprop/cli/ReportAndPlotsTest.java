package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.backprop.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/** The train command's --plots, --report, --checkpoint-every and --resume, end to end on small runs. */
class ReportAndPlotsTest {

    private static final String[] SMALL = {"--layers", "16", "--epochs", "3", "--patience", "0"};

    /** A small run; options given in {@code extra} replace those of {@link #SMALL}. */
    private static CliRunner train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(List.of(extra));
        for (int i = 0; i < SMALL.length; i += 2) {
            if (!args.contains(SMALL[i])) args.addAll(List.of(SMALL[i], SMALL[i + 1]));
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** The report without its doctype, parsed as XML: fails on any unclosed or misnested element. */
    private static Document parse(String html) throws Exception {
        String xml = html.replaceFirst("<!DOCTYPE html>", "");
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static List<BufferedImage> embeddedImages(String html) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        while (m.find()) images.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
        return images;
    }

    @Test
    void classificationRunWritesPngChartsAndASelfContainedReport(@TempDir Path dir) throws Exception {
        CliRunner r = train("--out", dir.toString(), "--plots", "--report");
        assertEquals(0, r.exitCode(), r.err());
        for (String f : List.of("loss.png", "accuracy.png", "gradient-norms.png", "update-ratios.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(f).toFile());
            assertNotNull(img, f + " is a readable PNG");
            assertEquals(Plots.WIDTH, img.getWidth());
            assertEquals(Plots.HEIGHT, img.getHeight());
        }
        String html = Files.readString(dir.resolve("report.html"));
        Document doc = parse(html);
        assertEquals("html", doc.getDocumentElement().getTagName());
        assertEquals(4, doc.getElementsByTagName("img").getLength());
        List<BufferedImage> images = embeddedImages(html);
        assertEquals(4, images.size());
        for (BufferedImage img : images) assertNotNull(img, "every embedded image decodes");

        Matcher acc = Pattern.compile("Test accuracy: ([0-9.]+)").matcher(r.out());
        assertTrue(acc.find(), r.out());
        assertTrue(html.contains("<th>test accuracy</th><td>" + acc.group(1) + "</td>"), "the printed test accuracy is in the report");
        assertTrue(html.contains("Confusion matrix"), "classification gets a confusion matrix");
        assertEquals(100, countOf(html, "<table class=\"confusion\">", "</table>", "<td"), "10 × 10 cells");
        assertTrue(html.contains("Gradient health") && html.contains("No warnings"), "the default ReLU network is healthy");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resources");
        assertFalse(html.contains("<script"), "no scripts");
    }

    /** How many occurrences of {@code needle} lie between {@code from} and the next {@code to}. */
    private static int countOf(String s, String from, String to, String needle) {
        int a = s.indexOf(from), b = s.indexOf(to, a);
        String part = s.substring(a + from.length(), b);
        return (part.length() - part.replace(needle, "").length()) / needle.length();
    }

    @Test
    void regressionReportHasRmseAndR2AndNoConfusionMatrix(@TempDir Path dir) throws Exception {
        CliRunner r = train("--data", "housing", "--out", dir.toString(), "--report");
        assertEquals(0, r.exitCode(), r.err());
        assertFalse(Files.exists(dir.resolve("loss.png")), "--report alone embeds the charts but writes no PNG files");
        String html = Files.readString(dir.resolve("report.html"));
        parse(html);
        assertTrue(html.contains("<th>test RMSE</th>") && html.contains("<th>test R²</th>"), html);
        assertFalse(html.contains("Confusion matrix"));
        assertEquals(4, embeddedImages(html).size());
    }

    @Test
    void deepSigmoidNetworkPrintsTheVanishingWarningAndTheReportListsIt(@TempDir Path dir) throws Exception {
        CliRunner r = train("--layers", "32,32,32,32,32,32,32,32,32", "--activation", "sigmoid", "--epochs", "1",
                "--out", dir.toString(), "--report");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("warning: layer 1 (0.weight) gradient norm"), r.out());
        assertTrue(r.out().contains("vanishing gradients"), r.out());
        assertTrue(r.out().indexOf("warning: layer 1") < r.out().indexOf("epoch 1 "), "warned during epoch 1: " + r.out());
        assertFalse(r.err().contains("vanishing"), "printed once, not also logged: " + r.err());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<b>vanishing</b> (epoch 1)"), "the report lists the warning");
    }

    @Test
    void resumingFromACheckpointEndsWithTheSameTestResultAsOneRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight"), half = dir.resolve("half");
        CliRunner full = CliRunner.run("train", "--layers", "16", "--epochs", "4", "--out", straight.toString(),
                "--checkpoint-every", "1");
        CliRunner first = CliRunner.run("train", "--layers", "16", "--epochs", "2", "--out", half.toString(),
                "--checkpoint-every", "2");
        assertEquals(0, first.exitCode(), first.err());
        Path ckpt = half.resolve("checkpoint.safetensors");
        assertTrue(Files.exists(ckpt));
        Path resumed = dir.resolve("resumed");
        CliRunner rest = CliRunner.run("train", "--layers", "16", "--epochs", "4", "--resume", ckpt.toString(),
                "--out", resumed.toString(), "--checkpoint-every", "2");
        assertEquals(0, rest.exitCode(), rest.err());
        assertTrue(rest.out().contains("Resuming from " + ckpt + " after epoch 2"), rest.out());
        assertFalse(rest.out().contains("epoch 1 "), "epochs done before are not run again: " + rest.out());
        String timing = "  [0-9.]+s$";
        assertEquals(line(full.out(), "epoch 4 ").replaceAll(timing, ""), line(rest.out(), "epoch 4 ").replaceAll(timing, ""));
        assertEquals(line(full.out(), "Test accuracy"), line(rest.out(), "Test accuracy"));
        var a = SafeTensors.read(straight.resolve("checkpoint.safetensors")).tensors();
        var b = SafeTensors.read(resumed.resolve("checkpoint.safetensors")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
    }

    private static String line(String out, String start) {
        return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(start + " in " + out));
    }

    @Test
    void filesNeedAFolderAndResumeAnExistingFile(@TempDir Path dir) {
        CliRunner r = train("--plots");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("give it with --out DIR"), r.err());
        CliRunner n = train("--out", dir.toString(), "--checkpoint-every", "0");
        assertTrue(n.err().contains("--checkpoint-every must be at least 1"), n.err());
        CliRunner m = train("--resume", dir.resolve("missing.safetensors").toString());
        assertTrue(m.err().contains("--resume: no file"), m.err());
    }

    @Test
    void progressNoneLeavesOutTheEpochLinesAndLinesKeepsThem() {
        CliRunner none = train("--progress", "none", "--epochs", "2");
        assertEquals(0, none.exitCode(), none.err());
        assertFalse(none.out().contains("epoch 1"), none.out());
        assertTrue(none.out().contains("Test accuracy"), none.out());
        CliRunner lines = train("--progress", "lines", "--epochs", "2");
        assertTrue(lines.out().contains("epoch 1  loss"), lines.out());
        assertFalse(lines.out().contains("\r"), "no carriage returns in a log");
    }
}
