package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @Test
    void defaultRunTrainsTheDigitsToAtLeast95PercentTestAccuracy() {
        CliRunner r = CliRunner.run("train");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("epoch  1  loss"), r.out());
        assertTrue(value(r.out(), "Test accuracy: ([0-9.]+)") >= 0.95, r.out());
    }

    @Test
    void housingRegressionReachesRSquaredOfAtLeast080() {
        CliRunner r = CliRunner.run("train", "--data", "housing");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(value(r.out(), "R²: ([0-9.]+)") >= 0.80, r.out());
        assertTrue(value(r.out(), "Test RMSE: ([0-9.]+)") < 5.0, r.out());
    }

    @Test
    void trainsOnACsvFileByTargetColumn(@TempDir Path dir) throws IOException {
        // y = 2a − b + 1, exactly learnable by a linear model.
        StringBuilder csv = new StringBuilder("a,b,noise,y\n");
        java.util.Random rng = new java.util.Random(5);
        for (int i = 0; i < 200; i++) {
            double a = rng.nextDouble() * 4 - 2, b = rng.nextDouble() * 4 - 2;
            csv.append(a).append(',').append(b).append(',').append(rng.nextDouble()).append(',').append(2 * a - b + 1).append('\n');
        }
        Path file = dir.resolve("lin.csv");
        Files.writeString(file, csv);
        CliRunner r = CliRunner.run("train", "--data", file.toString(), "--target", "y", "--drop", "noise", "--layers", "none",
                "--lr", "0.05", "--epochs", "60");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("2 features"), r.out());
        assertTrue(value(r.out(), "R²: ([0-9.]+)") > 0.99, r.out());
    }

    @Test
    void unknownColumnIsOneLineNamingTheColumnAndTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "a,b\n1,2\n3,4\n");
        CliRunner r = CliRunner.run("train", "--data", file.toString(), "--target", "price");
        assertEquals(1, r.exitCode());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("backprop: ") && err.contains("price") && err.contains("t.csv"), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void badLayerSpecAndMissingFileAreUserErrors() {
        CliRunner bad = CliRunner.run("train", "--layers", "64,x");
        assertEquals(1, bad.exitCode());
        assertEquals("backprop: --layers: 'x' in '64,x' is not a whole number; give hidden sizes like 64,32 (or 'none')",
                bad.err().strip());

        CliRunner zero = CliRunner.run("train", "--layers", "64,0");
        assertEquals(1, zero.exitCode());
        assertTrue(zero.err().contains("--layers"), zero.err());

        CliRunner missing = CliRunner.run("train", "--data", "no-such-file.csv", "--target", "y");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no-such-file.csv"), missing.err());

        CliRunner act = CliRunner.run("train", "--activation", "swish");
        assertEquals(1, act.exitCode());
        assertTrue(act.err().contains("unknown activation 'swish'"), act.err());
    }

    private static double value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void augmentOptionReadsShiftsAndFlipsAndRefusesFlatRows() {
        assertEquals(new org.backprop.data.ImageAugmentation(2, false), TrainSetup.parseAugmentation("auto", true));
        assertTrue(TrainSetup.parseAugmentation("auto", false).isIdentity());
        assertEquals(new org.backprop.data.ImageAugmentation(3, true), TrainSetup.parseAugmentation("shift=3, flip", false));
        assertEquals(new org.backprop.data.ImageAugmentation(2, false), TrainSetup.parseAugmentation("SHIFT", true));
        assertTrue(TrainSetup.parseAugmentation("none", true).isIdentity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainSetup.parseAugmentation("rotate", true));
        assertTrue(e.getMessage().contains("'rotate'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainSetup.parseAugmentation("shift=-1", true));
        assertTrue(e.getMessage().contains("shift=-1"), e.getMessage());

        CliRunner flat = CliRunner.run("train", "--augment", "flip");
        assertEquals(1, flat.exitCode());
        assertTrue(flat.err().contains("--augment flip shifts and mirrors images: it needs --model cnn or lenet"), flat.err());
    }

    /** The train command as picocli leaves it after parsing {@code args}, before it runs. */
    private static TrainCommand parsed(String... args) {
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return train;
    }

    @Test
    void imageModelsTakeTheirRecipeForOptionsLeftOutAndTheUsersOtherwise() {
        TrainCommand cnn = parsed("--data", "fashion-mnist", "--model", "cnn");
        assertEquals("batch 128, " + TrainSetup.CNN_EPOCHS + " epochs, cosine schedule, no validation split", new TrainSetup(cnn).applyImageRecipe());
        assertEquals(128, cnn.batchSize);
        assertEquals(TrainSetup.CNN_EPOCHS, cnn.epochs);
        assertEquals("cosine", cnn.schedule);
        assertEquals(0, cnn.valFraction);

        TrainCommand mine = parsed("--data", "fashion-mnist", "--model", "lenet", "--epochs", "3", "--batch-size", "64",
                "--schedule", "none", "--val-fraction", "0.1");
        assertNull(new TrainSetup(mine).applyImageRecipe(), "every recipe option was given");
        assertEquals(3, mine.epochs);
        assertEquals(64, mine.batchSize);
        assertEquals("none", mine.schedule);
        assertEquals(0.1, mine.valFraction);

        TrainCommand mlp = parsed("--data", "fashion-mnist");
        assertEquals("layers 256,128, batch 128, " + TrainSetup.MLP_EPOCHS + " epochs, cosine schedule, no validation split",
                new TrainSetup(mlp).applyImageRecipe());
        assertEquals("256,128", mlp.layerSpec);
        TrainCommand narrow = parsed("--data", "fashion-mnist", "--layers", "32");
        new TrainSetup(narrow).applyImageRecipe();
        assertEquals("32", narrow.layerSpec, "the user's layers win");

        TrainCommand table = parsed("--data", "housing");
        assertNull(new TrainSetup(table).applyImageRecipe(), "tables keep the tabular defaults");
        assertEquals(32, table.batchSize);
        assertEquals("64,32", table.layerSpec);
    }

    @Test
    void convolutionalModelsNeedImagesAndUnknownModelsAreNamed() {
        CliRunner lenet = CliRunner.run("train", "--model", "lenet");
        assertEquals(1, lenet.exitCode());
        assertEquals("backprop: --model lenet takes 28×28 grey images in 10 classes (--data fashion-mnist); "
                + "digits has features of shape [64]", lenet.err().strip());
        CliRunner unknown = CliRunner.run("train", "--model", "resnet");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("--model must be mlp, cnn or lenet, not 'resnet'"), unknown.err());
    }

    @Test
    void skipLinesReadsAHeaderBelowAPreamble(@TempDir Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("506,13,a preamble line as in the Boston file\nx,y\n");
        for (int i = 0; i < 120; i++) csv.append(i / 10.0).append(',').append(3 * (i / 10.0) - 2).append('\n');
        Path file = dir.resolve("pre.csv");
        Files.writeString(file, csv);
        CliRunner without = CliRunner.run("train", "--data", file.toString(), "--target", "y");
        assertEquals(1, without.exitCode());
        assertTrue(without.err().contains("pre.csv line 2: expected 3 columns"), without.err());
        CliRunner with = CliRunner.run("train", "--data", file.toString(), "--skip-lines", "1", "--target", "y",
                "--layers", "none", "--lr", "0.05", "--epochs", "60");
        assertEquals(0, with.exitCode(), with.err());
        assertTrue(value(with.out(), "R²: ([0-9.]+)") > 0.99, with.out());
    }

    @Test
    void cosineScheduleAnnealsTheLearningRateToZero(@TempDir Path dir) throws IOException {
        CliRunner r = CliRunner.run("train", "--schedule", "cosine", "--epochs", "4", "--patience", "0", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        var epochs = com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("summary.json")))
                .getAsJsonObject().getAsJsonArray("epochs");
        assertEquals(4, epochs.size());
        // Epoch t (1-based) runs at η_t = 1e-3·(1 + cos(π(t−1)/4))/2, the closed form of cosine annealing.
        for (int t = 1; t <= 4; t++) {
            double expected = 1e-3 * (1 + Math.cos(Math.PI * (t - 1) / 4)) / 2;
            assertEquals(expected, epochs.get(t - 1).getAsJsonObject().get("lr").getAsDouble(), 1e-12);
        }
        CliRunner bad = CliRunner.run("train", "--schedule", "linear");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("--schedule must be none, cosine, step or plateau, not 'linear'"), bad.err());
    }
}
