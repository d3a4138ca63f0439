package org.backprop.io;

import org.backprop.guard.Untrusted;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.backprop.data.ColumnEncoding;
import org.backprop.data.MissingPolicy;

/**
 * What a saved model needs besides its weights to be used on raw data: the task, the names of
 * the features and the target, and the standardisation fitted on the training data
 * ({@code x' = (x - mean) / std} per feature, and the same for regression targets, whose
 * predictions are mapped back with {@code y = y' * std + mean}).
 *
 * <p>Every component is optional ({@code null} when absent). Means and standard deviations come
 * in pairs of equal length; standard deviations are finite and positive.
 *
 * @param task         classification or regression, or {@code null}
 * @param featureNames one name per input feature, or {@code null}
 * @param targetName   the target column's name, or {@code null}
 * @param featureMeans per-feature means, or {@code null}
 * @param featureStds  per-feature standard deviations, or {@code null}
 * @param targetMeans  per-output means of a regression target, or {@code null}
 * @param targetStds   per-output standard deviations of a regression target, or {@code null}
 * @param classNames   the class labels as written in the data, class {@code i} first at {@code i}, or {@code null}
 * @param missing      the missing-value policy training used (its fill values are in {@code columns}), or {@code null}
 * @param columns      how the raw table columns become the features (one-hot categories, fill values), or
 *                     {@code null} when the features are the columns named by {@code featureNames} as they are
 */
public record Preprocessing(Task task, List<String> featureNames, String targetName, float[] featureMeans,
        float[] featureStds, float[] targetMeans, float[] targetStds, List<String> classNames, MissingPolicy missing,
        List<ColumnEncoding> columns) {

    /** What the model predicts. */
    public enum Task {
        CLASSIFICATION, REGRESSION;

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Set<String> FIELDS = Set.of("task", "feature_names", "target_name", "feature_means",
            "feature_stds", "target_means", "target_stds", "class_names", "missing", "columns");

    /** Names, task and standardisation only (numeric columns used as they are). */
    public Preprocessing(Task task, List<String> featureNames, String targetName, float[] featureMeans,
                         float[] featureStds, float[] targetMeans, float[] targetStds) {
        this(task, featureNames, targetName, featureMeans, featureStds, targetMeans, targetStds, null, null, null);
    }

    public Preprocessing {
        if (featureNames != null) {
            featureNames.forEach(n -> Objects.requireNonNull(n, "feature name"));
            featureNames = List.copyOf(featureNames);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String n : featureNames) {
                if (!seen.add(n)) { // prediction would feed one input column to two network inputs
                    throw new IllegalArgumentException("preprocessing: feature name " + Untrusted.quote(n)
                            + " appears twice");
                }
            }
        }
        featureMeans = featureMeans == null ? null : featureMeans.clone();
        featureStds = featureStds == null ? null : featureStds.clone();
        targetMeans = targetMeans == null ? null : targetMeans.clone();
        targetStds = targetStds == null ? null : targetStds.clone();
        checkPair(featureMeans, featureStds, "feature");
        checkPair(targetMeans, targetStds, "target");
        if (classNames != null) {
            classNames = List.copyOf(classNames);
            if (Set.copyOf(classNames).size() != classNames.size()) {
                throw new IllegalArgumentException("preprocessing: a class name appears twice in " + classNames);
            }
        }
        if (columns != null) {
            columns = List.copyOf(columns);
            int width = columns.stream().mapToInt(ColumnEncoding::width).sum();
            if (featureNames != null && featureNames.size() != width) {
                throw new IllegalArgumentException("preprocessing: " + featureNames.size() + " feature names but the "
                        + "columns encode " + width + " features");
            }
        }
        if (featureNames != null && featureMeans != null && featureNames.size() != featureMeans.length) {
            throw new IllegalArgumentException("preprocessing: " + featureNames.size() + " feature names but "
                    + featureMeans.length + " feature means");
        }
    }

    /** No preprocessing information. */
    public static Preprocessing none() {
        return new Preprocessing(null, null, null, null, null, null, null, null, null, null);
    }

    /** Whether nothing is recorded. */
    public boolean isEmpty() {
        return equals(none());
    }

    /** The number of features this preprocessing describes, or -1 if it names none. */
    public int featureCount() {
        if (featureMeans != null) return featureMeans.length;
        return featureNames != null ? featureNames.size() : -1;
    }

    @Override
    public float[] featureMeans() {
        return featureMeans == null ? null : featureMeans.clone();
    }

    @Override
    public float[] featureStds() {
        return featureStds == null ? null : featureStds.clone();
    }

    @Override
    public float[] targetMeans() {
        return targetMeans == null ? null : targetMeans.clone();
    }

    @Override
    public float[] targetStds() {
        return targetStds == null ? null : targetStds.clone();
    }

    private static void checkPair(float[] means, float[] stds, String what) {
        if ((means == null) != (stds == null)) {
            throw new IllegalArgumentException("preprocessing: " + what + " means and standard deviations go together; "
                    + "only the " + (means == null ? "standard deviations" : "means") + " are given");
        }
        if (means == null) return;
        if (means.length != stds.length) {
            throw new IllegalArgumentException("preprocessing: " + means.length + " " + what + " means but " + stds.length
                    + " standard deviations");
        }
        for (int i = 0; i < means.length; i++) {
            if (!Float.isFinite(means[i])) {
                throw new IllegalArgumentException("preprocessing: " + what + " mean " + i + " is " + means[i]);
            }
            if (!(Float.isFinite(stds[i]) && stds[i] > 0)) {
                throw new IllegalArgumentException("preprocessing: " + what + " standard deviation " + i + " is "
                        + stds[i] + "; it must be finite and positive (use 1 for a constant column)");
            }
        }
    }

    // ---------------------------------------------------------------- JSON

    /** JSON with only the components that are present, e.g. {@code {"task": "regression", "feature_means": [...]}}. */
    public String toJson() {
        JsonObject o = new JsonObject();
        if (task != null) o.addProperty("task", task.jsonName());
        if (featureNames != null) {
            JsonArray a = new JsonArray();
            featureNames.forEach(a::add);
            o.add("feature_names", a);
        }
        if (targetName != null) o.addProperty("target_name", targetName);
        put(o, "feature_means", featureMeans);
        put(o, "feature_stds", featureStds);
        put(o, "target_means", targetMeans);
        put(o, "target_stds", targetStds);
        if (classNames != null) {
            JsonArray a = new JsonArray();
            classNames.forEach(a::add);
            o.add("class_names", a);
        }
        if (missing != null) o.addProperty("missing", missing.label());
        if (columns != null) {
            JsonArray a = new JsonArray();
            for (ColumnEncoding c : columns) a.add(PreprocessingColumns.toJson(c));
            o.add("columns", a);
        }
        return Json.write(o);
    }

    private static void put(JsonObject o, String key, float[] values) {
        if (values == null) return;
        JsonArray a = new JsonArray();
        for (float v : values) a.add(v); // Float.toString: the shortest form that reads back exactly
        o.add(key, a);
    }

    /**
     * Parses {@link #toJson()}'s form.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    public static Preprocessing fromJson(String json) {
        JsonObject o = Json.parseObject(json, "preprocessing");
        Json.requireFields(o, "preprocessing", Set.of(), FIELDS);
        Task task = null;
        if (o.has("task")) {
            String t = Json.string(o.get("task"), "preprocessing \"task\"");
            task = switch (t) {
                case "classification" -> Task.CLASSIFICATION;
                case "regression" -> Task.REGRESSION;
                default -> throw new IllegalArgumentException("preprocessing: unknown task '" + t
                        + "' (known: classification, regression)");
            };
        }
        List<String> names = null;
        if (o.has("feature_names")) {
            JsonArray a = array(o, "feature_names");
            names = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) names.add(Json.string(a.get(i), "preprocessing \"feature_names\"[" + i + "]"));
        }
        String target = o.has("target_name") ? Json.string(o.get("target_name"), "preprocessing \"target_name\"") : null;
        List<String> classNames = null;
        if (o.has("class_names")) {
            JsonArray a = array(o, "class_names");
            classNames = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) classNames.add(Json.string(a.get(i), "preprocessing \"class_names\"[" + i + "]"));
        }
        MissingPolicy missing = o.has("missing")
                ? MissingPolicy.parse(Json.string(o.get("missing"), "preprocessing \"missing\"")) : null;
        List<ColumnEncoding> columns = null;
        if (o.has("columns")) {
            JsonArray a = array(o, "columns");
            columns = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) columns.add(PreprocessingColumns.fromJson(a.get(i), i));
        }
        return new Preprocessing(task, names, target, floats(o, "feature_means"), floats(o, "feature_stds"),
                floats(o, "target_means"), floats(o, "target_stds"), classNames, missing, columns);
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (!e.isJsonArray()) throw new IllegalArgumentException("preprocessing \"" + key + "\" must be an array, found " + e);
        return e.getAsJsonArray();
    }

    private static float[] floats(JsonObject o, String key) {
        if (!o.has(key)) return null;
        JsonArray a = array(o, key);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = Json.finiteFloat(a.get(i), "preprocessing \"" + key + "\"[" + i + "]");
        return out;
    }

    // ---------------------------------------------------------------- value semantics (arrays by content)

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && task == p.task && Objects.equals(featureNames, p.featureNames)
                && Objects.equals(targetName, p.targetName) && Arrays.equals(featureMeans, p.featureMeans)
                && Arrays.equals(featureStds, p.featureStds) && Arrays.equals(targetMeans, p.targetMeans)
                && Arrays.equals(targetStds, p.targetStds) && Objects.equals(classNames, p.classNames)
                && missing == p.missing && Objects.equals(columns, p.columns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(task, featureNames, targetName, Arrays.hashCode(featureMeans), Arrays.hashCode(featureStds),
                Arrays.hashCode(targetMeans), Arrays.hashCode(targetStds), classNames, missing, columns);
    }

    @Override
    public String toString() {
        return "Preprocessing" + toJson();
    }
}
