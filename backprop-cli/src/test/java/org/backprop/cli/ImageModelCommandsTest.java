package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.data.Dataset;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** info and prediction on saved convolutional networks. */
class ImageModelCommandsTest {
    private static final List<Integer> IMAGE = List.of(1, 28, 28);

    @TempDir
    Path dir;

    @Test
    void infoShowsImageShapesBuffersAndCounts() throws IOException {
        Path file = dir.resolve("cnn.safetensors");
        Sequential model = Models.smallCnn(new Random(1));
        ModelFile.save(file, model, IMAGE, Preprocessing.none(), Map.of("dataset", "fashion-mnist"));

        CliRunner r = CliRunner.run("info", "--model", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("[1, 28, 28] → 10, 3 conv + 2 linear layers, relu"), out);
        assertEquals("0.0  Conv2d(in=1, out=16, kernel=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), "
                + "bias=false) [N, 16, 28, 28] 144 0.0.weight [16, 1, 3, 3]", row(out, "0.0"));
        assertEquals("0.1  BatchNorm2d(16, eps=1.0E-5, momentum=0.1) [N, 16, 28, 28] 32 0.1.weight [16], 0.1.bias [16], "
                + "0.1.running_mean [16], 0.1.running_var [16], 0.1.num_batches_tracked []", row(out, "0.1"));
        assertTrue(row(out, "0.3").contains("[N, 16, 14, 14] 0"), out);
        assertTrue(row(out, "2.3").contains("[N, 64, 3, 3] 0"), out);
        assertEquals("3    Flatten(start=1, end=-1) [N, 576] 0", row(out, "3"));
        assertEquals("7    Linear(in=128, out=10, bias=true) [N, 10] 1,290 7.weight [10, 128], 7.bias [10]", row(out, "7"));
        assertTrue(out.contains(String.format("Parameters: %,d in 13 tensors (plus 9 buffers); input [N, 1, 28, 28]",
                model.parameterCount())), out);
    }

    /** The table row of layer {@code name}, its runs of padding shrunk to one space (two after the name). */
    private static String row(String out, String name) {
        for (String line : out.lines().toList()) {
            if (line.startsWith("  " + name + " ")) return line.strip().replaceAll("(?<=\\S)\\s{2,}(?=\\S)", " ")
                    .replaceFirst("^" + java.util.regex.Pattern.quote(name) + " ", padded(name));
        }
        throw new AssertionError("no row " + name + " in\n" + out);
    }

    private static String padded(String name) {
        return String.format("%-5s", name + " ");
    }

    @Test
    void predictorReshapesFlatRowsIntoImages() throws IOException {
        Path file = dir.resolve("lenet.safetensors");
        Sequential model = Models.lenet5(new Random(2));
        ModelFile.save(file, model, IMAGE, new Preprocessing(Preprocessing.Task.CLASSIFICATION, null, null, null, null,
                null, null), Map.of());

        Predictor predictor = new Predictor(ModelLoader.load(file));
        Tensor flat = Tensor.randn(new Random(3), 3, 784);
        Tensor predicted = predictor.predict(flat);
        Tensor expected;
        try (var _ = GradMode.noGrad()) {
            expected = model.eval().forward(flat.reshape(3, 1, 28, 28));
        }
        assertArrayEquals(new int[] {3, 10}, predicted.shape());
        assertArrayEquals(expected.toFloatArray(), predicted.toFloatArray(), 1e-5f);

        // unnamed pixel columns (Fashion-MNIST in evaluate) are taken as they are, when the width fits
        Dataset images = new Dataset(flat.reshape(3, 1, 28, 28), Tensor.zeros(3));
        assertArrayEquals(flat.toFloatArray(), predictor.features(images, "images").toFloatArray());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> predictor.features(new Dataset(Tensor.zeros(3, 64), Tensor.zeros(3)), "digits"));
        assertEquals("digits has 64 features per sample but the model takes 784", e.getMessage());
    }

    @Test
    void gradcheckPassesOnSmallCnnsCheckingEveryFirstLayerWeight() throws IOException {
        Sequential cnn = Models.smallCnn(new Random(4));
        // as after training: batch-norm statistics and affine parameters away from their initial 0 and 1
        Random rng = new Random(5);
        for (var e : cnn.stateDict().entrySet()) {
            if (e.getKey().matches(".*\\.1\\.(weight|bias|running_mean|running_var)")) {
                float[] v = e.getValue().array();
                for (int i = 0; i < v.length; i++) {
                    v[i] = e.getKey().endsWith("running_var") ? 0.5f + rng.nextFloat() : (float) rng.nextGaussian() * 0.3f
                            + (e.getKey().endsWith("weight") ? 1 : 0);
                }
            }
        }
        Preprocessing classify = new Preprocessing(Preprocessing.Task.CLASSIFICATION, null, null, null, null, null, null);
        Path small = dir.resolve("small-cnn.safetensors"), lenet = dir.resolve("lenet.safetensors");
        ModelFile.save(small, cnn, IMAGE, classify, Map.of());
        ModelFile.save(lenet, Models.lenet5(new Random(2)), IMAGE, classify, Map.of());

        CliRunner r = CliRunner.run("gradcheck", "--model", small.toString(), "--max-elements", "40");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("PASS: all 13 parameters agree with finite differences (the steps crossed "), r.out());
        assertTrue(row(r.out(), "0.0.weight").matches("0\\.0\\.weight \\[16, 1, 3, 3\\] 40 of 144 max error 0\\.0\\d+ PASS "
                + "\\(steps crossed [0-9,]+ kinks, held\\)"), r.out());

        CliRunner l = CliRunner.run("gradcheck", "--model", lenet.toString());
        assertEquals(0, l.exitCode(), l.out() + l.err());
        assertTrue(l.out().contains("PASS: all 10 parameters"), l.out());
        assertTrue(row(l.out(), "0.weight").matches("0\\.weight \\[6, 1, 5, 5\\] 150 of 150 max error 0\\.0\\d+ PASS .*"),
                l.out());
        assertEquals(0, l.out().lines().filter(line -> line.contains("FAIL") || line.contains("skipped")).count(), l.out());
    }

    @Test
    void trainOutputRecordsTheSampleShapeOfImagesOnly() {
        assertEquals(IMAGE, TrainOutput.inputShape(new Dataset(Tensor.zeros(4, 1, 28, 28), Tensor.zeros(4))));
        assertEquals(List.of(), TrainOutput.inputShape(new Dataset(Tensor.zeros(4, 784), Tensor.zeros(4))));
    }
}
