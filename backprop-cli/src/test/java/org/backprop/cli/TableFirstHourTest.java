package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new user's first runs on their own tables: labels, gaps, categories, task inference, --cv. */
class TableFirstHourTest {
    @TempDir
    Path dir;

    private static final String[] FAST = {"--epochs", "30", "--patience", "0", "--progress", "none"};

    private static CliRunner train(String... args) {
        String[] all = new String[args.length + FAST.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(FAST, 0, all, 1 + args.length, FAST.length);
        return CliRunner.run(all);
    }

    /** Three grape varieties told apart by two measurements, a whole-number column and a text column. */
    private Path wines(int rows, boolean gaps) throws IOException {
        StringBuilder sb = new StringBuilder("alcohol,colour,year,soil,cultivar\n");
        Random rng = new Random(3);
        String[] names = {"barbera", "grignolino", "nebbiolo"};
        String[] soils = {"clay", "sand"};
        for (int i = 0; i < rows; i++) {
            int c = i % 3;
            String alcohol = gaps && i % 10 == 4 ? "NA" : String.format(java.util.Locale.ROOT, "%.2f", 12 + c + rng.nextGaussian() * 0.2);
            String colour = gaps && i % 10 == 7 ? "" : String.format(java.util.Locale.ROOT, "%.2f", 3 + 2 * c + rng.nextGaussian() * 0.3);
            sb.append(alcohol).append(',').append(colour).append(',').append(2000 + i % 7).append(',')
                    .append(soils[(i / 3) % 2]).append(',').append(names[c]).append('\n');
        }
        Path f = dir.resolve("wines.csv");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void textLabelsAreAClassificationAndPredictPrintsTheirNames() throws IOException {
        Path data = wines(90, false);
        Path out = dir.resolve("run");
        CliRunner r = train("--data", data.toString(), "--target", "cultivar", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("classification into 3 classes (barbera, grignolino, nebbiolo)"), r.out());
        assertTrue(r.out().contains("'cultivar' holds text labels (barbera, grignolino, nebbiolo) (text labels are always classes)"), r.out());
        assertTrue(r.out().contains("stratified"), r.out());
        assertTrue(r.out().contains("soil (2 categories, one-hot)"), r.out());
        assertTrue(value(r.out(), "Test accuracy: ([0-9.]+)") >= 0.9, r.out());

        Path rows = dir.resolve("new.csv");
        Files.writeString(rows, "year,alcohol,colour,soil\n2003,12.0,3.1,clay\n2004,14.1,7.0,sand\n2005,13,5,loam\n");
        CliRunner p = CliRunner.run("predict", "--model", out.toString(), "--data", rows.toString());
        assertEquals(0, p.exitCode(), p.err());
        List<String> lines = p.out().lines().toList();
        assertEquals("year,alcohol,colour,soil,predicted_class,p_barbera,p_grignolino,p_nebbiolo", lines.get(0));
        assertTrue(lines.get(1).startsWith("2003,12.0,3.1,clay,barbera,0."), "input kept as written: " + lines.get(1));
        assertTrue(lines.get(2).startsWith("2004,14.1,7.0,sand,nebbiolo,"), lines.get(2));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            for (int k = f.length - 3; k < f.length; k++) assertTrue(f[k].matches("[01]\\.\\d{6}"), "plain decimals: " + line);
        }
        assertTrue(p.err().contains("'loam' in column 'soil' on line 4") && p.err().contains("none of its"), p.err());
        // --input is the same option
        assertEquals(p.out(), CliRunner.run("predict", "--model", out.toString(), "--input", rows.toString()).out());

        CliRunner info = CliRunner.run("info", "--model", out.toString());
        assertTrue(info.out().contains("0 = barbera, 1 = grignolino, 2 = nebbiolo"), info.out());
        assertTrue(info.out().contains("format: pt  — "), info.out());

        // evaluate scores exactly train's (stratified) test rows
        CliRunner e = CliRunner.run("evaluate", "--model", out.toString(), "--data", data.toString(), "--split", "test");
        assertEquals(0, e.exitCode(), e.err());
        assertEquals(value(r.out(), "Test accuracy: ([0-9.]+)"), value(e.out(), "Accuracy: ([0-9.]+)"), 1e-9, e.out());
    }

    @Test
    void aFewWholeNumbersAreClassesAndTheDataLineSaysWhyAndHowToOverride() throws IOException {
        Path f = dir.resolve("ints.csv");
        StringBuilder sb = new StringBuilder("x,grade\n");
        for (int i = 0; i < 60; i++) sb.append(i % 3 + 0.1 * (i % 5)).append(',').append(1 + i % 3).append('\n');
        Files.writeString(f, sb);
        CliRunner r = train("--data", f.toString(), "--target", "grade");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("'grade' holds whole numbers with 3 distinct values (1, 2, 3)"), r.out());
        assertTrue(r.out().contains("--task regression to override"), r.out());
        CliRunner reg = train("--data", f.toString(), "--target", "grade", "--task", "regression");
        assertTrue(reg.out().contains("regression of grade") && reg.out().contains("R²"), reg.out());
    }

    @Test
    void missingValuesFailWithTheOptionToUseOrAreFilled() throws IOException {
        Path data = wines(90, true);
        CliRunner fail = train("--data", data.toString(), "--target", "cultivar");
        assertEquals(1, fail.exitCode());
        String err = fail.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("18 missing values") && err.contains("line 6, column 'alcohol'") && err.contains("--missing mean"), err);

        CliRunner mean = train("--data", data.toString(), "--target", "cultivar", "--missing", "mean");
        assertEquals(0, mean.exitCode(), mean.err());
        assertTrue(mean.out().contains("18 missing cells filled with the training part's mean"), mean.out());
        CliRunner drop = train("--data", data.toString(), "--target", "cultivar", "--missing", "drop");
        assertEquals(0, drop.exitCode(), drop.err());
        assertTrue(drop.out().contains("72 rows") && drop.out().contains("18 rows with missing values dropped"), drop.out());
    }

    @Test
    void crossValidationReportsEachFoldAndTheMeanAndSpread() throws IOException {
        CliRunner r = train("--data", wines(60, false).toString(), "--target", "cultivar", "--cv", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.matches("fold \\d/3: test accuracy [0-9.]+ \\(20 rows\\)")).count(), r.out());
        assertTrue(r.out().contains("Cross-validation, 3 folds (stratified): accuracy "), r.out());
    }

    private static double value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in: " + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aRegressionTakesTheTablesWeightDecayUnlessGivenAndAClassificationNone() throws IOException {
        StringBuilder sb = new StringBuilder("x,y,z\n");
        Random rng = new Random(5);
        for (int i = 0; i < 60; i++) {
            double x = rng.nextDouble(), y = rng.nextDouble();
            sb.append(x).append(',').append(y).append(',').append(3 * x - y + 0.1 * rng.nextGaussian()).append('\n');
        }
        Path data = Files.writeString(dir.resolve("reg.csv"), sb);
        CliRunner regression = train("--data", data.toString(), "--target", "z");
        assertEquals(0, regression.exitCode(), regression.err());
        assertTrue(regression.out().contains("lr 0.00100, weight decay " + TrainCommand.fmt(TrainSetup.REGRESSION_WEIGHT_DECAY) + ", batch"),
                regression.out());
        CliRunner given = train("--data", data.toString(), "--target", "z", "--weight-decay", "0");
        assertTrue(given.out().contains("lr 0.00100, batch"), given.out());
        CliRunner classes = train("--data", wines(60, false).toString(), "--target", "cultivar");
        assertTrue(classes.out().contains("lr 0.00100, batch"), classes.out());
    }
}
