package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backprop.autograd.GradMode;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --out, then info, evaluate, predict and gradcheck on what it saved, through the command line. */
class ModelCommandsTest {
    @TempDir
    static Path dir;

    /** What train printed for the housing model saved in {@code dir/housing}. */
    static String trainOutput;

    @BeforeAll
    static void trainHousing() {
        CliRunner r = CliRunner.run("train", "--data", "housing", "--epochs", "25", "--out", dir.resolve("housing").toString());
        assertEquals(0, r.exitCode(), r.err());
        trainOutput = r.out();
    }

    private static String housingModel() {
        return dir.resolve("housing").resolve("model.safetensors").toString();
    }

    @Test
    void trainSavesTheModelWithItsPreprocessingAndASummary() throws IOException {
        Path model = dir.resolve("housing/model.safetensors"), summary = dir.resolve("housing/summary.json");
        assertTrue(trainOutput.contains("Saved: " + model + " and " + summary), trainOutput);

        ModelFile.SavedModel saved = ModelFile.load(model);
        Preprocessing p = saved.preprocessing();
        Dataset housing = BuiltinDatasets.housing();
        assertEquals(Preprocessing.Task.REGRESSION, p.task());
        assertEquals(housing.featureNames(), p.featureNames());
        assertEquals("MEDV", p.targetName());
        // the statistics are those of the training part (405 of 506 rows), not of the whole set
        Dataset trainPart = housing.split(0.2, 42).train();
        assertEquals(org.backprop.data.Standardizer.fitFeatures(trainPart).means()[5], p.featureMeans()[5], 1e-6);
        assertEquals(org.backprop.data.Standardizer.fitTargets(trainPart).stds()[0], p.targetStds()[0], 1e-6);

        JsonObject s = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        assertEquals(42, s.getAsJsonObject("settings").get("seed").getAsInt());
        assertEquals("64", s.getAsJsonObject("settings").get("layers").getAsString());
        assertEquals(101, s.getAsJsonObject("split").get("test").getAsInt());
        assertEquals(405, s.getAsJsonObject("split").get("train").getAsInt() + s.getAsJsonObject("split").get("validation").getAsInt());
        int epochLines = (int) trainOutput.lines().filter(l -> l.startsWith("epoch")).count();
        assertEquals(epochLines, s.getAsJsonArray("epochs").size());
        assertEquals(value(trainOutput, "Test RMSE: ([0-9.]+)"), s.getAsJsonObject("test").get("rmse").getAsDouble(), 5e-5);
        assertNotNull(s.get("stop_reason"));
        assertTrue(s.get("backprop").getAsString().startsWith("backprop "));
        assertFalse(s.get("vector_width").getAsString().isEmpty());
    }

    @Test
    void withoutOutNothingIsSaved() {
        CliRunner r = CliRunner.run("train", "--data", "housing", "--epochs", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertFalse(r.out().contains("Saved"), r.out());
    }

    @Test
    void infoListsTheLayersShapesAndParameterCounts() throws IOException {
        CliRunner r = CliRunner.run("info", "--model", dir.resolve("housing").toString()); // the directory works too
        assertEquals(0, r.exitCode(), r.err());
        long params = ModelFile.load(Path.of(housingModel())).model().parameterCount();
        assertEquals(12 * 64 + 64 + 64 + 1, params);
        assertTrue(r.out().contains(String.format("Parameters: %,d in 4 tensors", params)), r.out());
        assertTrue(r.out().matches("(?s).*0\\s+Linear\\(in=12, out=64, bias=true\\)\\s+\\[N, 64]\\s+832\\s+0\\.weight \\[64, 12], 0\\.bias \\[64].*"),
                r.out());
        assertTrue(r.out().contains("target: MEDV") && r.out().contains("split_seed: 42"), r.out());

        CliRunner described = CliRunner.run("info", "--layers", "64,32", "--inputs", "13", "--outputs", "1");
        assertEquals(0, described.exitCode(), described.err());
        assertTrue(described.out().contains("13-64-32-1 relu") && described.out().contains("Parameters: 3,009"), described.out());
    }

    @Test
    void evaluateOnTheReproducedTestSplitGivesTrainsTestMetrics() {
        CliRunner r = CliRunner.run("evaluate", "--model", housingModel(), "--data", "housing", "--split", "test",
                "--seed", "42", "--test-fraction", "0.2");
        assertEquals(0, r.exitCode(), r.err());
        for (String metric : List.of("RMSE", "MAE", "R²")) {
            assertEquals(value(trainOutput, metric + ": ([0-9.]+)"), value(r.out(), metric + ": ([0-9.]+)"), 0.0, r.out());
        }
        assertTrue(r.out().contains("(101 samples)"), r.out());

        // the seed and fraction saved with the model are the defaults
        CliRunner defaults = CliRunner.run("evaluate", "--model", housingModel(), "--data", "housing", "--split", "test");
        assertEquals(value(trainOutput, "RMSE: ([0-9.]+)"), value(defaults.out(), "RMSE: ([0-9.]+)"), 0.0, defaults.out());

        CliRunner all = CliRunner.run("evaluate", "--model", housingModel(), "--data", "housing");
        assertTrue(all.out().contains("(506 samples)"), all.out());
    }

    @Test
    void predictWritesTheInputColumnsAndThePredictionsOfTheModel() throws IOException {
        // the model's columns in another order, an extra column, and no target column
        Dataset housing = BuiltinDatasets.housing();
        List<String> columns = new ArrayList<>(housing.featureNames());
        Collections.reverse(columns);
        columns.add(1, "note");
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
        int rows = 5;
        float[] x = housing.features().toFloatArray();
        for (int r = 0; r < rows; r++) {
            List<String> fields = new ArrayList<>();
            for (String c : columns) {
                fields.add(c.equals("note") ? "7" : Float.toString(x[r * 12 + housing.featureNames().indexOf(c)]));
            }
            csv.append(String.join(",", fields)).append('\n');
        }
        Path in = dir.resolve("rows.csv"), out = dir.resolve("predictions.csv");
        Files.writeString(in, csv);
        CliRunner r = CliRunner.run("predict", "--model", housingModel(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());

        List<String> lines = Files.readAllLines(out);
        assertEquals(String.join(",", columns) + ",MEDV", lines.getFirst());
        assertEquals(rows + 1, lines.size());
        float[] expected = predictByHand(housing, rows);
        for (int r2 = 0; r2 < rows; r2++) {
            String[] f = lines.get(r2 + 1).split(",");
            assertEquals(columns.size() + 1, f.length);
            assertEquals(7f, Float.parseFloat(f[1]));
            assertEquals(expected[r2], Float.parseFloat(f[f.length - 1]), 1e-4f * Math.abs(expected[r2]), lines.get(r2 + 1));
        }

        CliRunner stdout = CliRunner.run("predict", "--model", housingModel(), "--input", in.toString());
        assertEquals(String.join("\n", lines), stdout.out().strip());
    }

    /** The saved model applied step by step: standardise, forward, map back to $1000s. */
    private static float[] predictByHand(Dataset housing, int rows) throws IOException {
        ModelFile.SavedModel saved = ModelFile.load(Path.of(housingModel()));
        Preprocessing p = saved.preprocessing();
        float[] x = housing.features().toFloatArray();
        float[] z = new float[rows * 12];
        for (int i = 0; i < z.length; i++) z[i] = (x[i] - p.featureMeans()[i % 12]) / p.featureStds()[i % 12];
        float[] y;
        try (var _ = GradMode.noGrad()) {
            y = saved.model().forward(Tensor.of(z, rows, 12)).toFloatArray();
        }
        for (int i = 0; i < rows; i++) y[i] = y[i] * p.targetStds()[0] + p.targetMeans()[0];
        return y;
    }

    @Test
    void predictOnACsvMissingAColumnNamesIt() throws IOException {
        Path in = dir.resolve("partial.csv");
        Files.writeString(in, "CRIM,ZN,INDUS,CHAS,NOX,RM,AGE,DIS,RAD,TAX,PTRATIO\n0.1,0,7,0,0.5,6,60,4,2,250,17\n");
        CliRunner r = CliRunner.run("predict", "--model", housingModel(), "--input", in.toString());
        assertEquals(1, r.exitCode());
        assertOneLine(r.err());
        assertTrue(r.err().contains("missing feature column 'LSTAT'") && r.err().contains("partial.csv"), r.err());
    }

    @Test
    void aTruncatedModelFileIsAOneLineError() throws IOException {
        Path damaged = dir.resolve("damaged.safetensors");
        byte[] bytes = Files.readAllBytes(Path.of(housingModel()));
        Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        CliRunner r = CliRunner.run("evaluate", "--model", damaged.toString(), "--data", "housing");
        assertEquals(1, r.exitCode());
        assertOneLine(r.err());
        assertTrue(r.err().contains("damaged.safetensors") && r.err().contains("not a valid safetensors file"), r.err());
    }

    @Test
    void otherMistakesAreOneLineErrors() {
        CliRunner missing = CliRunner.run("info", "--model", dir.resolve("nothing.safetensors").toString());
        assertEquals(1, missing.exitCode());
        assertOneLine(missing.err());
        assertTrue(missing.err().contains("no model file") && missing.err().contains("nothing.safetensors"), missing.err());

        CliRunner layers = CliRunner.run("gradcheck", "--layers", "64,x", "--inputs", "3", "--outputs", "1");
        assertEquals(1, layers.exitCode());
        assertEquals("backprop: --layers: 'x' in '64,x' is not a whole number; give hidden sizes like 64,32 (or 'none')",
                layers.err().strip());

        CliRunner both = CliRunner.run("info", "--model", housingModel(), "--layers", "4");
        assertEquals(1, both.exitCode());
        assertOneLine(both.err());

        CliRunner incomplete = CliRunner.run("info", "--layers", "4");
        assertEquals(1, incomplete.exitCode());
        assertTrue(incomplete.err().contains("--inputs, --outputs"), incomplete.err());

        CliRunner column = CliRunner.run("evaluate", "--model", housingModel(), "--data", csvWithout("MEDV").toString(),
                "--target", "PRICE");
        assertEquals(1, column.exitCode());
        assertOneLine(column.err());
        assertTrue(column.err().contains("'PRICE'"), column.err());

        CliRunner task = CliRunner.run("evaluate", "--model", housingModel(), "--data", "digits");
        assertEquals(1, task.exitCode());
        assertTrue(task.err().contains("classification"), task.err());
    }

    private static Path csvWithout(String column) {
        try {
            Path p = dir.resolve("no-" + column + ".csv");
            Files.writeString(p, "CRIM,ZN\n1,2\n");
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void gradcheckPassesOnTheSavedModel() {
        CliRunner r = CliRunner.run("gradcheck", "--model", housingModel());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertEquals(4, r.out().lines().filter(l -> l.endsWith("PASS") || l.contains("PASS  (")).count(), r.out());
        assertTrue(r.out().contains("PASS: all 4 parameters"), r.out());
        assertTrue(r.out().contains("200 randomly chosen elements"), r.out()); // 0.weight has 768

        CliRunner withData = CliRunner.run("gradcheck", "--model", housingModel(), "--data", "housing", "--samples", "3");
        assertEquals(0, withData.exitCode(), withData.out());
    }

    @Test
    void gradcheckFailsWhereTheLossIsNotDifferentiable() throws IOException {
        // Hidden unit 0 has zero weights and bias: its ReLU input is exactly 0 for every sample, the
        // kink itself. Autograd reports ReLU's subgradient 0 there, while the loss changes at half
        // the outgoing slope on either side: no derivative exists, and the check must say so.
        Random rng = new Random(3);
        Linear hidden = new Linear(3, 4, rng), output = new Linear(4, 1, rng);
        for (int k = 0; k < 3; k++) hidden.weight.data()[k] = 0;
        hidden.bias.data()[0] = 0;
        output.weight.data()[0] = 1.5f;
        Path file = dir.resolve("kink.safetensors");
        ModelFile.save(file, new Sequential(hidden, new Activation.ReLU(), output));

        CliRunner r = CliRunner.run("gradcheck", "--model", file.toString());
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.out().contains("Not differentiable here"), r.out());
        assertTrue(r.out().matches("(?s).*0\\.bias .*FAIL  \\(element 0: autograd 0\\.0+, finite differences .*"), r.out());
        assertTrue(r.out().contains("2.bias") && r.out().lines().anyMatch(l -> l.contains("2.bias") && l.contains("PASS")),
                r.out());
        assertTrue(r.out().contains("FAIL: "), r.out());
    }

    @Test
    void digitsModelPredictsClassesWithProbabilities() throws IOException {
        Path out = dir.resolve("digits");
        CliRunner train = CliRunner.run("train", "--epochs", "3", "--layers", "32", "--out", out.toString());
        assertEquals(0, train.exitCode(), train.err());

        CliRunner eval = CliRunner.run("evaluate", "--model", out.toString(), "--data", "digits", "--split", "test");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(value(train.out(), "Test accuracy: ([0-9.]+)"), value(eval.out(), "Accuracy: ([0-9.]+)"), 0.0);

        Dataset digits = BuiltinDatasets.digits();
        StringBuilder csv = new StringBuilder(String.join(",", digits.featureNames())).append('\n');
        float[] x = digits.features().toFloatArray();
        for (int r = 0; r < 3; r++) {
            List<String> f = new ArrayList<>();
            for (int j = 0; j < 64; j++) f.add(Float.toString(x[r * 64 + j]));
            csv.append(String.join(",", f)).append('\n');
        }
        Path in = dir.resolve("digits.csv");
        Files.writeString(in, csv);
        CliRunner r = CliRunner.run("predict", "--model", out.toString(), "--input", in.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().endsWith(",predicted_class,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9"), lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int predicted = Integer.parseInt(f[64]);
            double sum = 0, best = -1;
            int argmax = -1;
            for (int c = 0; c < 10; c++) {
                double p = Double.parseDouble(f[65 + c]);
                sum += p;
                if (p > best) {
                    best = p;
                    argmax = c;
                }
            }
            assertEquals(1.0, sum, 1e-5);
            assertEquals(argmax, predicted);
        }
    }

    private static void assertOneLine(String err) {
        String e = err.strip();
        assertTrue(e.startsWith("backprop: "), e);
        assertFalse(e.contains("\n"), e);
        assertFalse(e.contains("Exception") || e.contains("\tat "), e);
    }

    private static double value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
