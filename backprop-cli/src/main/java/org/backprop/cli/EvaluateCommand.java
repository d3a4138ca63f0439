package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backprop.data.Dataset;
import org.backprop.audio.AudioFeatures;
import org.backprop.data.FashionMnist;
import org.backprop.io.ModelFile;
import org.backprop.audio.Fsdd;
import org.backprop.audio.SpokenDigits;
import org.backprop.train.ConfusionMatrix;
import org.backprop.tensor.Tensor;
import org.backprop.train.Evaluation;
import org.backprop.train.Metrics;
import org.backprop.train.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Scores a saved model on a dataset with the preprocessing stored in the model file: accuracy
 * for classification, RMSE, MAE and R² in the target's units for regression.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Metrics of a saved model on a dataset, with the model's saved preprocessing.",
                "To score the exact test set of 'backprop train --data D --seed S --test-fraction F', use "
                        + "'--split test' (the seed and fraction default to those saved with the model)."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR",
            description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "NAME|FILE.csv",
            description = "A built-in dataset (digits, housing), fashion-mnist, or a CSV file with a header.")
    String data;

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Mixin
    CsvInput csv = new CsvInput();

    @Option(names = "--target", paramLabel = "COLUMN",
            description = "The CSV column holding the true values (default: the target name saved with the model).")
    String target;

    @Option(names = "--split", defaultValue = "all", paramLabel = "all|test",
            description = "all: every sample; test: only the test part train held out (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--seed", paramLabel = "S",
            description = "With --split test: train's --seed (default: the one saved with the model, else 42).")
    Long seed;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "With --split test: train's --test-fraction (default: the one saved with the model, else 0.2).")
    Double testFraction;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    /**
     * A character language model: the loss on the text's validation part (the last 10%; with
     * {@code --split all}, the whole text) in nats per character, and the perplexity e^loss.
     */
    private int evaluateText(PrintWriter out, ModelFile.SavedModel saved, String part) throws IOException {
        org.backprop.nn.Gpt gpt = GenerateCommand.gptOf(saved);
        org.backprop.text.Vocabulary vocab = gpt != null ? GenerateCommand.gptVocabulary(saved, gpt, model) : GenerateCommand.vocabulary(saved, model);
        org.backprop.text.TextCorpus read = TextTraining.corpus(data);
        int[] ids = org.backprop.text.TextCorpus.withVocabulary(read.name(), read.vocab().decode(read.ids()), vocab).ids();
        boolean validation = !part.equals("all") || !spec.commandLine().getParseResult().hasMatchedOption("--split");
        int[] scored = validation ? java.util.Arrays.copyOfRange(ids, (int) (ids.length * org.backprop.text.TextCorpus.TRAIN_FRACTION), ids.length) : ids;
        int steps = Integer.parseInt(saved.metadata().getOrDefault(TextTraining.SEQ_LEN_KEY, "64"));
        double loss = gpt != null ? org.backprop.train.GptTraining.meanLoss(gpt, scored, 32)
                : org.backprop.text.CharLanguageModel.evaluate(saved.model(), scored, steps, 32);
        out.printf(Locale.ROOT, "Model: %s (character language model%s, vocabulary of %d)%n", model, gpt != null ? ", GPT" : "", vocab.size());
        out.printf(Locale.ROOT, "Data: %s, %s, %,d characters%n", read.name(), validation ? "validation part (last 10%)" : "all", scored.length);
        out.printf(Locale.ROOT, "val loss %.4f nats/char, perplexity %.3f%n", loss, Math.exp(loss));
        return 0;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        String part = split.strip().toLowerCase(Locale.ROOT);
        if (!part.equals("all") && !part.equals("test")) {
            throw new IllegalArgumentException("--split must be all or test, not '" + split + "'");
        }
        if (part.equals("all") && (seed != null || testFraction != null)) {
            throw new IllegalArgumentException("--seed and --test-fraction choose the test split: add --split test");
        }
        ModelFile.SavedModel saved = ModelLoader.load(model);
        if (saved.metadata().containsKey(TextTraining.VOCABULARY_KEY)) return evaluateText(out, saved, part);
        Predictor predictor = new Predictor(saved);
        if (TrainSetup.isFashionMnist(data)) return evaluateFashionMnist(out, predictor, part);
        if (Speech.isFsdd(data)) return evaluateFsdd(out, predictor, part);
        DataSource.Loaded loaded = DataSource.load(data, target, csv.format(), predictor);
        Dataset ds = loaded.data();
        String what = "all " + ds.size() + " samples";
        if (part.equals("test")) {
            Map<String, String> meta = predictor.saved().metadata();
            long s = seed != null ? seed : Long.parseLong(saved(meta, TrainOutput.SEED_KEY, "42", "seed"));
            double f = testFraction != null ? testFraction
                    : Double.parseDouble(saved(meta, TrainOutput.TEST_FRACTION_KEY, "0.2", "test-fraction"));
            if (!(f > 0 && f < 1)) throw new IllegalArgumentException("--test-fraction must be between 0 and 1 (exclusive), got " + f);
            String trainedOn = meta.get(TrainOutput.DATASET_KEY);
            if (trainedOn != null && !trainedOn.equalsIgnoreCase(loaded.name())) {
                out.printf("Note: the model was trained on %s; this is the test split of %s%n", trainedOn, loaded.name());
            }
            boolean stratified = "stratified".equals(meta.get(TrainOutput.SPLIT_KEY));
            ds = (stratified ? ds.stratifiedSplit(f, s) : ds.split(f, s)).test();
            what = String.format(Locale.ROOT, "test split (seed %d, test fraction %s), %d of %d samples", s,
                    TrainCommand.fmt(f), ds.size(), loaded.data().size());
        }
        Tensor predictions = predictor.predict(predictor.features(ds, loaded.name()));
        Evaluation e = Metrics.of(predictor.task(), predictions, ds.targets());

        out.printf("Model: %s (%s)%n", model, predictor.describeTask());
        out.printf("Data: %s, %s%n", loaded.name(), what);
        if (predictor.task() == Task.CLASSIFICATION) {
            out.printf(Locale.ROOT, "Accuracy: %.4f (%d samples)%n", e.accuracy(), e.samples());
        } else {
            out.printf(Locale.ROOT, "RMSE: %.4f   MAE: %.4f   R²: %.4f (%d samples)%n", e.rmse(), e.mae(), e.r2(),
                    e.samples());
        }
        out.flush();
        return 0;
    }

    /**
     * Fashion-MNIST keeps its official split, as train uses it: {@code test} is the 10,000 test
     * images, {@code all} the 70,000 of both parts.
     */
    private int evaluateFashionMnist(PrintWriter out, Predictor predictor, String part) throws IOException {
        if (seed != null || testFraction != null) {
            throw new IllegalArgumentException("--seed and --test-fraction do not apply to fashion-mnist, whose test part "
                    + "is fixed");
        }
        if (predictor.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("--data: fashion-mnist is for classification but the model does "
                    + predictor.describeTask());
        }
        FashionMnist fm = fashionDir.load();
        FashionMnist.Split s = part.equals("test") ? fm.test() : concat(fm.train(), fm.test());
        Dataset ds = new Dataset(s.images(), s.labelTensor());
        Tensor predictions = predictor.predict(predictor.features(ds, "fashion-mnist"));
        Evaluation e = Metrics.of(predictor.task(), predictions, ds.targets());
        out.printf("Model: %s (%s)%n", model, predictor.describeTask());
        out.printf("Data: fashion-mnist, %s%n", part.equals("test") ? "the official test part, " + ds.size() + " images"
                : "all " + ds.size() + " images");
        out.printf(Locale.ROOT, "Accuracy: %.4f (%d samples)%n", e.accuracy(), e.samples());
        out.flush();
        return 0;
    }

    /**
     * The spoken digits with the model's own features: {@code test} is the test part of the split
     * it was trained with (official, or its held-out speaker), {@code all} every recording.
     */
    private int evaluateFsdd(PrintWriter out, Predictor predictor, String part) throws IOException {
        if (seed != null || testFraction != null) {
            throw new IllegalArgumentException("--seed and --test-fraction do not apply to fsdd, whose split is by recording or speaker");
        }
        AudioFeatures features = AudioFeatures.of(predictor.saved(), model);
        if (features == null) throw new IllegalArgumentException("--data fsdd needs a speech model; " + model + " takes no audio");
        Fsdd fsdd = Fsdd.load(fashionDir.dir);
        String splitSpec = predictor.saved().metadata().getOrDefault(Speech.SPLIT_KEY, "official");
        List<Fsdd.Recording> recordings = part.equals("test") ? Speech.split(fsdd, splitSpec).test() : fsdd.recordings();
        Dataset ds = SpokenDigits.dataset(features, recordings);
        Tensor predictions = predictor.predict(ds.features());
        Evaluation e = Metrics.of(Task.CLASSIFICATION, predictions, ds.targets());
        out.printf("Model: %s (%s)%n", model, predictor.describeTask());
        out.printf("Data: fsdd, %s%n", part.equals("test") ? "the test part of the " + splitSpec + " split, " + ds.size()
                + " recordings" : "all " + ds.size() + " recordings");
        out.printf(Locale.ROOT, "Accuracy: %.4f (%d samples)%n", e.accuracy(), e.samples());
        Speech.printConfusion(out, ConfusionMatrix.of(predictions, ds.targets()));
        out.flush();
        return 0;
    }

    private static FashionMnist.Split concat(FashionMnist.Split a, FashionMnist.Split b) {
        byte[] pixels = java.util.Arrays.copyOf(a.bytes(), a.bytes().length + b.bytes().length);
        System.arraycopy(b.bytes(), 0, pixels, a.bytes().length, b.bytes().length);
        int[] labels = java.util.Arrays.copyOf(a.labels(), a.labels().length + b.labels().length);
        System.arraycopy(b.labels(), 0, labels, a.labels().length, b.labels().length);
        return new FashionMnist.Split(pixels, labels);
    }

    /** A number train saved in the model's metadata (train's default when absent), checked before it is parsed. */
    private String saved(Map<String, String> meta, String key, String fallback, String option) {
        String v = meta.getOrDefault(key, fallback);
        if (!v.matches("-?[0-9]+(\\.[0-9]*)?([eE]-?[0-9]+)?") || (option.equals("seed") && !v.matches("-?[0-9]+"))) {
            throw new IllegalArgumentException(model + ": metadata '" + key + "' is '" + v + "', not a "
                    + (option.equals("seed") ? "whole number" : "number") + "; give --" + option + " yourself");
        }
        return v;
    }
}
