package org.backprop.cli;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.kernel.Simd;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.History;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code train --out} records beside the model in {@code summary.json}: the settings, the
 * data and its split, every epoch's losses and metrics, why training stopped, the test metrics
 * and the environment. Written with Gson; field names become snake_case, non-finite numbers are
 * left out (JSON has no NaN).
 */
record RunSummary(String backprop, String jdk, String vectorWidth, String created, String command,
                  Map<String, Object> settings, DataInfo data, Split split, List<Map<String, Object>> epochs,
                  String stopReason, String stopMessage, int bestEpoch, boolean restoredBestWeights,
                  Map<String, Object> test, double seconds, String modelFile) {

    /** The dataset trained on. */
    record DataInfo(String name, String task, int samples, int features, List<String> featureNames, String target,
                    Integer classes) {}

    /** Samples in each part: training proper, validation (held out of training by the trainer) and test. */
    record Split(int train, int validation, int test, double testFraction, long seed) {}

    private static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .disableHtmlEscaping()
            .setPrettyPrinting()
            .create();

    /** The version printed by {@code backprop --version}. */
    static String backpropVersion() {
        return BackpropCommand.class.getAnnotation(Command.class).version()[0];
    }

    static String jdkDescription() {
        return System.getProperty("java.vendor", "?") + " " + Runtime.version();
    }

    /** The environment part, so the caller only supplies what the run produced. */
    static RunSummary of(CommandSpec spec, DataInfo data, Split split, History history, Evaluation test, double seconds,
                         String modelFile) {
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochResult r : history.epochs()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", r.epoch());
            metrics(r.train(), "").forEach(e::put);
            if (r.hasValidation()) metrics(r.validation(), "val_").forEach(e::put);
            e.put("lr", finite(r.lr()));
            e.put("seconds", finite(r.seconds()));
            epochs.add(e);
        }
        Map<String, Object> testMetrics = metrics(test, "");
        testMetrics.remove("loss"); // the test set is scored by metrics only
        testMetrics.put("samples", test.samples());
        return new RunSummary(backpropVersion(), jdkDescription(), Simd.describe(), Instant.now().toString(),
                spec.qualifiedName(), settings(spec), data, split, epochs,
                history.stopReason().name().toLowerCase(Locale.ROOT), history.stopMessage(), history.bestEpoch(),
                history.restoredBestWeights(), testMetrics, seconds, modelFile);
    }

    /** Every option of the command with the value it had (given or default), by long name. */
    static Map<String, Object> settings(CommandSpec spec) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            settings.put(o.longestName().replaceFirst("^-+", ""), jsonValue(o.getValue()));
        }
        return settings;
    }

    /** Plain JSON values: numbers, booleans and strings as they are, enums in lower case, lists, else text. */
    private static Object jsonValue(Object v) {
        return switch (v) {
            case null -> null;
            case Double d -> finite(d);
            case Float f -> finite(f);
            case Number n -> n;
            case Boolean b -> b;
            case String s -> s;
            case Enum<?> e -> e.name().toLowerCase(Locale.ROOT);
            case Collection<?> c -> c.stream().map(RunSummary::jsonValue).toList();
            default -> v.toString();
        };
    }

    private static Map<String, Object> metrics(Evaluation e, String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        e.metrics().forEach((k, v) -> m.put(prefix + k, finite(v)));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    String toJson() {
        return GSON.toJson(this) + "\n";
    }
}
