package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
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
        assertTrue(r.out().contains("PASS: all 13 parameters agree with finite differences (the steps crossed ReLU or "
                + "max-pool kinks "), r.out());
        assertTrue(row(r.out(), "0.0.weight").matches("0\\.0\\.weight \\[16, 1, 3, 3\\] 40 of 144 worst error 0\\.0\\d+× PASS "
                + "\\([0-9,]+ kink crossings held\\)"), r.out());

        CliRunner l = CliRunner.run("gradcheck", "--model", lenet.toString());
        assertEquals(0, l.exitCode(), l.out() + l.err());
        assertTrue(l.out().contains("PASS: all 10 parameters"), l.out());
        assertTrue(row(l.out(), "0.weight").matches("0\\.weight \\[6, 1, 5, 5\\] 150 of 150 worst error 0\\.0\\d+× PASS .*"),
                l.out());
        assertEquals(0, l.out().lines().filter(line -> line.contains("FAIL") || line.contains("skipped")).count(), l.out());
    }

    @Test
    void predictorRunsLargeSetsInChunksWithTheSameResults() throws IOException {
        Path file = dir.resolve("lenet-chunks.safetensors");
        Sequential model = Models.lenet5(new Random(9));
        ModelFile.save(file, model, IMAGE, Preprocessing.none(), Map.of());
        Tensor flat = Tensor.rand(new Random(10), 0f, 1f, 1100, 784); // more than one chunk of 1,024
        Tensor expected;
        try (var _ = GradMode.noGrad()) {
            expected = model.eval().forward(flat.reshape(1100, 1, 28, 28));
        }
        Tensor predicted = new Predictor(ModelLoader.load(file)).predict(flat);
        assertArrayEquals(new int[] {1100, 10}, predicted.shape());
        assertArrayEquals(expected.toFloatArray(), predicted.toFloatArray(), 1e-5f);
    }

    /** An IDX image file (magic 0x803) of {@code n} random h×w images, gzipped when asked. */
    private Path idxImages(String name, int n, int h, int w, boolean gzip, Random rng) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(bytes) : bytes);
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        byte[] pixels = new byte[n * h * w];
        rng.nextBytes(pixels);
        out.write(pixels);
        out.close();
        Path file = dir.resolve(name);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void predictGivesTheClassesOfImagesInAnIdxFile() throws IOException {
        Path file = dir.resolve("lenet-predict.safetensors");
        Sequential model = Models.lenet5(new Random(6));
        ModelFile.save(file, model, IMAGE, new Preprocessing(Preprocessing.Task.CLASSIFICATION, null, null, null, null,
                null, null), Map.of());
        Path images = idxImages("images-idx3-ubyte.gz", 5, 28, 28, true, new Random(7));

        CliRunner r = CliRunner.run("predict", "--model", file.toString(), "--data", images.toString(), "--limit", "4");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("image,predicted_class,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9", lines.getFirst());
        assertEquals(5, lines.size()); // the header and 4 of the 5 images

        // the same as the network on the pixels scaled to [0, 1]
        byte[] raw = new byte[5 * 784];
        new Random(7).nextBytes(raw);
        float[] pixels = new float[4 * 784];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (raw[i] & 0xff) / 255f;
        Tensor probabilities;
        try (var _ = GradMode.noGrad()) {
            probabilities = model.eval().forward(Tensor.wrap(pixels, 4, 1, 28, 28)).softmax(1);
        }
        for (int row = 0; row < 4; row++) {
            String[] f = lines.get(row + 1).split(",");
            assertEquals(Integer.toString(row), f[0]);
            float[] expected = probabilities.slice(0, row, row + 1).contiguous().toFloatArray();
            int best = 0;
            for (int c = 0; c < 10; c++) {
                assertEquals(expected[c], Float.parseFloat(f[2 + c]), 1e-6f);
                if (expected[c] > expected[best]) best = c;
            }
            assertEquals(Integer.toString(best), f[1]);
        }
    }

    @Test
    void predictOnImagesNamesWhatDoesNotFit() throws IOException {
        Path file = dir.resolve("lenet-misfit.safetensors");
        ModelFile.save(file, Models.lenet5(new Random(6)), IMAGE, Preprocessing.none(), Map.of());
        Path large = idxImages("large-idx3-ubyte", 2, 32, 32, false, new Random(8));

        CliRunner size = CliRunner.run("predict", "--model", file.toString(), "--data", large.toString());
        assertEquals(1, size.exitCode());
        assertEquals("backprop: large-idx3-ubyte holds 32×32 images but the model takes [1, 28, 28]", size.err().strip());

        CliRunner neither = CliRunner.run("predict", "--model", file.toString());
        assertEquals("backprop: give the rows to predict: --data FILE.csv (or, for an image model, --data fashion-mnist "
                + "or --data FILE.idx)", neither.err().strip());
        CliRunner missing = CliRunner.run("predict", "--model", file.toString(), "--data", "nothing.idx");
        assertEquals("backprop: --data: 'nothing.idx' is neither fashion-mnist nor an existing IDX image file",
                missing.err().strip());

        Path tabular = dir.resolve("tabular.safetensors");
        ModelFile.save(tabular, new Sequential(new org.backprop.nn.Linear(2, 3, new Random(1))),
                new Preprocessing(Preprocessing.Task.CLASSIFICATION, List.of("a", "b"), "y", null, null, null, null));
        CliRunner columns = CliRunner.run("predict", "--model", tabular.toString(), "--data", "fashion-mnist");
        assertEquals("backprop: --data takes images, but the model takes named feature columns (a, b): give them in a "
                + "CSV file", columns.err().strip());
    }

    @Test
    void trainOutputRecordsTheSampleShapeOfImagesOnly() {
        assertEquals(IMAGE, TrainOutput.inputShape(new Dataset(Tensor.zeros(4, 1, 28, 28), Tensor.zeros(4))));
        assertEquals(List.of(), TrainOutput.inputShape(new Dataset(Tensor.zeros(4, 784), Tensor.zeros(4))));
    }
}
