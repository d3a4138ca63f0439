package org.backprop.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.autograd.GradMode;
import org.backprop.data.Batch;
import org.backprop.data.BatchTransform;
import org.backprop.data.DataLoader;
import org.backprop.data.Dataset;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.optim.LrScheduler;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: mini-batch gradient descent over a dataset for a number of epochs, with
 * validation, stopping rules, a learning-rate schedule and callbacks.
 * <pre>{@code
 * History h = new Trainer(model, loss, optimizer)
 *         .scheduler(schedule)            // optional
 *         .callback(progress)             // optional, any number
 *         .fit(train, FitConfig.of(Task.CLASSIFICATION).withEpochs(30).withValidationFraction(0.1));
 * Evaluation test = Trainer.evaluate(model, testSet, loss, Task.CLASSIFICATION, 256);
 * }</pre>
 *
 * <p>Per epoch: every batch is one step of the recipe in {@link #fit}; then the validation set is
 * scored, {@link Callback#onEpochEnd} runs, the scheduler steps with the validation loss (the
 * training loss without validation), and the stopping rules are checked.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final List<Callback> callbacks = new ArrayList<>();
    private LrScheduler scheduler;
    private Path checkpointFile;
    private int checkpointEvery;
    private Checkpoint resumeFrom;
    private Map<String, String> runSettings = Map.of();
    private BatchTransform augmentation;

    public Trainer(Module model, Loss loss, Optimizer optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** Steps {@code scheduler} once at the end of every epoch. */
    public Trainer scheduler(LrScheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /**
     * Writes a {@link Checkpoint} to {@code file} (atomically, replacing the previous one) after
     * every {@code everyEpochs}-th epoch and after the last epoch run.
     */
    public Trainer checkpoint(Path file, int everyEpochs) {
        if (everyEpochs < 1) throw new IllegalArgumentException("checkpoint: every must be at least 1 epoch, got " + everyEpochs);
        this.checkpointFile = file;
        this.checkpointEvery = everyEpochs;
        return this;
    }

    /**
     * Makes the next {@link #fit} continue from {@code checkpoint}: the model, the optimizer, the
     * schedule (replayed) and the stopping rules are put back where they were after its epoch, and
     * training goes on with the next epoch. The model, optimizer and schedule must be built as in
     * the interrupted run, and the fit settings that order the data must match.
     */
    public Trainer resume(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Records settings that change the run beyond the {@link FitConfig} (the network, the loss,
     * weight decay, gradient clipping, a hash of the data...), by name, in every checkpoint; a
     * resumed run must give the same values, or {@link #fit} refuses it naming the setting.
     */
    public Trainer runSettings(Map<String, String> settings) {
        this.runSettings = new java.util.TreeMap<>(settings);
        return this;
    }

    /** The settings a checkpoint records and a resume compares: the caller's and the stopping rules'. */
    private Map<String, String> recordedSettings(FitConfig config) {
        Map<String, String> all = new java.util.TreeMap<>(runSettings);
        all.put("early_stopping", config.earlyStopping()
                ? config.earlyStoppingPatience() + " epochs, min delta " + config.earlyStoppingMinDelta() : "off");
        all.put("convergence", config.convergence()
                ? config.convergenceTolerance() + " for " + config.convergencePatience() + " epochs" : "off");
        all.put("optimizer", optimizer.toString().replaceAll("lr=[^,)]*", "lr=?")); // the lr is checked on its own
        return all;
    }

    /**
     * Applies {@code augmentation} to the features of every training batch (never to validation
     * data), with a generator drawn from the fit's seed, the epoch and the step: the same seed
     * gives the same augmented batches, and a resumed run continues as the uninterrupted one.
     */
    public Trainer augmentation(BatchTransform augmentation) {
        this.augmentation = augmentation;
        return this;
    }

    /** Adds a callback; callbacks run in the order added. */
    public Trainer callback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /**
     * Trains the model on {@code data}.
     *
     * @throws IllegalArgumentException   when the data leaves no batch to train on, or the config asks for early
     *                                    stopping without validation data
     * @throws TrainingDivergedException  when a loss or gradient becomes NaN or infinite
     */
    public History fit(Dataset data, FitConfig config) {
        if (config.earlyStopping() && !config.hasValidation()) {
            throw new IllegalArgumentException("early stopping watches the validation loss: give a validation set "
                    + "or a validation fraction");
        }
        Dataset train = data;
        Dataset validation = config.validation();
        if (config.validationFraction() > 0) {
            // stratified for class indices, so a small table's validation set holds every class in its share
            Dataset.Split split = config.task() == Task.CLASSIFICATION && data.targets().dim() == 1
                    ? data.stratifiedSplit(config.validationFraction(), config.seed())
                    : data.split(config.validationFraction(), config.seed());
            train = split.train();
            validation = split.test();
        }
        if (train.isEmpty()) throw new IllegalArgumentException("the training set is empty: nothing to train on");
        if (validation != null && validation.isEmpty()) throw new IllegalArgumentException("the validation set is empty");
        DataLoader loader = new DataLoader(train, config.batchSize(), config.shuffle(), config.seed(), config.dropLast());
        int steps = loader.batchCount();
        if (steps == 0) {
            throw new IllegalArgumentException("no full batch: " + train.size() + " training samples with batch size "
                    + config.batchSize() + " and the last partial batch dropped");
        }

        Map<String, Parameter> named = model.namedParameters();
        List<Parameter> parameters = List.copyOf(named.values());
        LOG.debug("fit: {} training samples, {} validation, {} steps per epoch, up to {} epochs, {} parameters",
                train.size(), validation == null ? 0 : validation.size(), steps, config.epochs(), model.parameterCount());

        List<EpochResult> results = new ArrayList<>();
        StopReason reason = StopReason.MAX_EPOCHS;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0, sinceBest = 0, calmEpochs = 0;
        Map<String, Tensor> bestState = null;
        int first = 1;
        if (resumeFrom != null) {
            Checkpoint c = resumeFrom;
            restore(c, config);
            results.addAll(c.history());
            bestLoss = c.bestLoss();
            bestEpoch = c.bestEpoch();
            sinceBest = c.sinceBest();
            calmEpochs = c.calmEpochs();
            bestState = c.bestModel().isEmpty() ? null : c.bestModel();
            first = c.epoch() + 1;
            resumeFrom = null; // a later fit starts afresh
        }

        // The optimizer step inside the backward pass (exact, see Optimizer#backwardAndStep) unless
        // a callback reads or changes the gradients between backward and step (e.g. clipping).
        boolean fused = optimizer.fused() && callbacks.stream().noneMatch(Trainer::readsGradients);
        if (fused) optimizer.zeroGrad(); // the fused step leaves them zero from here on
        StepArena arena = new StepArena();
        Divergence divergence = new Divergence(optimizer, named, first == 1 ? initialLoss(train, config) : Double.NaN, results);
        try (var _ = GradMode.enableGrad()) { // in case fit is called inside a no-grad scope
            for (int epoch = first; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                double lr = optimizer.lr();
                for (Callback c : callbacks) c.onEpochStart(epoch);

                MetricAccumulator trainScores = new MetricAccumulator(config.task());
                int step = 0, seen = 0;
                for (Batch batch : loader.epoch(epoch)) {
                    step++;
                    double value;
                    try (var _ = arena.open()) { // the step's activations reuse the last step's buffers
                        // One step of backpropagation:
                        model.train();                                   // dropout on, batch statistics
                        if (!fused) optimizer.zeroGrad();                // gradients accumulate: clear the last step's
                        Tensor features = augmentation == null ? batch.features()
                                : augmentation.apply(batch.features(), DataLoader.stepRandom(config.seed(), epoch, step));
                        Tensor prediction = model.forward(features);     // forward pass, recording the graph
                        Tensor batchLoss = loss.apply(prediction, batch.targets());
                        value = batchLoss.item();
                        if (fused && Double.isFinite(value)) {           // backward, each w updated once its grad is final
                            optimizer.backwardAndStep(batchLoss);
                            if (optimizer.skippedNonFiniteGradient()) divergence.checkStep(epoch, step, steps, value);
                        } else {
                            batchLoss.backward();                        // chain rule back to every parameter's grad
                            divergence.checkStep(epoch, step, steps, value); // before NaN reaches the weights
                            for (Callback c : callbacks) c.beforeStep(parameters); // e.g. gradient clipping
                            optimizer.step();                            // w ← update(w, grad)
                        }
                        divergence.checkUpdate(epoch, step, steps, value, parameters);
                        trainScores.add(prediction.detach(), batch.targets(), value); // read before the arena reuses it
                    }
                    seen += batch.size();
                    StepInfo info = new StepInfo(epoch, step, steps, value, seen);
                    for (Callback c : callbacks) c.onBatchEnd(info);
                }

                Evaluation trainResult = trainScores.result();
                divergence.checkEpoch(epoch, steps, trainResult.loss());
                Evaluation valResult = validation == null ? null
                        : evaluate(model, validation, loss, config.task(), config.batchSize());
                EpochResult result = new EpochResult(epoch, trainResult, valResult, lr, (System.nanoTime() - start) / 1e9);
                results.add(result);
                LOG.debug("{}", result);
                for (Callback c : callbacks) c.onEpochEnd(result);

                double monitored = valResult != null ? valResult.loss() : trainResult.loss();
                if (scheduler != null) scheduler.step(monitored);

                boolean stop = false;
                if (config.earlyStopping()) {
                    if (monitored < bestLoss - config.earlyStoppingMinDelta()) {
                        bestLoss = monitored;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        bestState = snapshot(model);
                    } else if (++sinceBest >= config.earlyStoppingPatience()) {
                        reason = StopReason.EARLY_STOPPING;
                        stop = true;
                    }
                }
                if (!stop && config.convergence() && epoch > 1) {
                    double change = Math.abs(trainResult.loss() - results.get(epoch - 2).trainLoss());
                    calmEpochs = change < config.convergenceTolerance() ? calmEpochs + 1 : 0;
                    if (calmEpochs >= config.convergencePatience()) {
                        reason = StopReason.CONVERGED;
                        stop = true;
                    }
                }
                if (checkpointFile != null && (epoch % checkpointEvery == 0 || stop || epoch == config.epochs())) {
                    saveCheckpoint(new Checkpoint(epoch, model.stateDict(), optimizer.stateDict(),
                            optimizer.getClass().getName(), optimizer.lr(), Checkpoint.Settings.of(config), results,
                            bestLoss, bestEpoch, sinceBest, calmEpochs, bestState == null ? Map.of() : bestState,
                            recordedSettings(config)));
                }
                if (stop) break;
            }
        }

        int last = results.size();
        boolean restored = false;
        if (config.earlyStopping() && bestState != null && bestEpoch != last) {
            model.loadStateDict(bestState);
            restored = true;
        }
        if (!config.earlyStopping() || bestEpoch == 0) bestEpoch = lowestLossEpoch(results); // 0: never improved (NaN)
        String message = switch (reason) {
            case MAX_EPOCHS -> "max epochs (" + last + ")";
            case CONVERGED -> String.format(Locale.ROOT,
                    "converged at epoch %d: the training loss changed by less than %g for %d epochs in a row",
                    last, config.convergenceTolerance(), config.convergencePatience());
            case EARLY_STOPPING -> "early stopping at epoch " + last + ", best epoch " + bestEpoch;
        };
        LOG.info("training stopped: {}{}", message, restored ? "; restored the weights of epoch " + bestEpoch : "");
        return new History(results, reason, message, bestEpoch, restored);
    }

    /**
     * Scores a model on a dataset, in evaluation mode and without recording gradients. The model's
     * training/evaluation mode is left as it was.
     *
     * @param loss may be {@code null}, in which case the loss reported is NaN
     */
    public static Evaluation evaluate(Module model, Dataset data, Loss loss, Task task, int batchSize) {
        if (data.isEmpty()) throw new IllegalArgumentException("evaluate: the dataset is empty");
        boolean wasTraining = model.isTraining();
        MetricAccumulator scores = new MetricAccumulator(task);
        try (var _ = GradMode.noGrad()) {
            model.eval();
            for (Batch batch : DataLoader.sequential(data, batchSize).epoch(0)) {
                Tensor prediction = model.forward(batch.features());
                double value = loss == null ? Double.NaN : loss.apply(prediction, batch.targets()).item();
                scores.add(prediction, batch.targets(), value);
            }
        } finally {
            model.train(wasTraining);
        }
        return scores.result();
    }

    /** Puts the model, optimizer and schedule back to where {@code c} left them, after checking it fits. */
    private void restore(Checkpoint c, FitConfig config) {
        Checkpoint.Settings now = Checkpoint.Settings.of(config);
        if (!now.equals(c.settings())) {
            throw new IllegalArgumentException("resume: the checkpoint was written with " + c.settings()
                    + " but this run has " + now + "; use the same settings to continue the same run");
        }
        c.checkRunSettings(recordedSettings(config));
        if (!optimizer.getClass().getName().equals(c.optimizerType())) {
            throw new IllegalArgumentException("resume: the checkpoint holds the state of " + c.optimizerType()
                    + ", this run uses " + optimizer.getClass().getName());
        }
        if (c.epoch() >= config.epochs()) {
            throw new IllegalArgumentException("resume: the checkpoint is at epoch " + c.epoch() + " and this run stops at "
                    + config.epochs() + " epochs: raise the number of epochs to train further");
        }
        model.loadStateDict(c.model());
        optimizer.loadStateDict(c.optimizer());
        // Schedules are deterministic in what they are stepped with: replaying the epochs' values puts them back.
        if (scheduler != null) {
            for (EpochResult r : c.history()) scheduler.step(r.hasValidation() ? r.validationLoss() : r.trainLoss());
        }
        if (optimizer.lr() != c.lr()) {
            throw new IllegalArgumentException("resume: the learning rate would be " + optimizer.lr() + " where the "
                    + "checkpoint has " + c.lr() + "; build the optimizer and its schedule as in the interrupted run");
        }
        LOG.info("resuming after epoch {} of {}", c.epoch(), config.epochs());
    }

    private void saveCheckpoint(Checkpoint c) {
        try {
            c.save(checkpointFile);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint " + checkpointFile + ": " + e.getMessage(), e);
        }
    }

    /** The untrained model's loss on the first 256 training samples: the runaway check's first reference. */
    private double initialLoss(Dataset train, FitConfig config) {
        int n = Math.min(train.size(), 256);
        int[] first = new int[n];
        for (int i = 0; i < n; i++) first[i] = i;
        return evaluate(model, train.subset(first), loss, config.task(), n).loss();
    }

    /** Deep copies of every parameter and buffer, to restore later with {@code loadStateDict}. */
    private static Map<String, Tensor> snapshot(Module model) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> copy.put(k, v.copy()));
        return copy;
    }

    /** Whether a callback overrides {@link Callback#beforeStep}: it needs every gradient before the step. */
    private static boolean readsGradients(Callback c) {
        try {
            return c.getClass().getMethod("beforeStep", List.class).getDeclaringClass() != Callback.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    private static int lowestLossEpoch(List<EpochResult> results) {
        int best = 1;
        for (EpochResult r : results) {
            double l = r.hasValidation() ? r.validationLoss() : r.trainLoss();
            double b = results.get(best - 1).hasValidation() ? results.get(best - 1).validationLoss()
                    : results.get(best - 1).trainLoss();
            if (l < b) best = r.epoch();
        }
        return best;
    }
}
