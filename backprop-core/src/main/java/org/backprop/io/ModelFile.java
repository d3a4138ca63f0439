package org.backprop.io;

import org.backprop.guard.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * Saves and loads models as {@code <name>.safetensors}: the state dict under PyTorch's names
 * ({@code 0.weight}, {@code 0.bias}, {@code 1.running_mean}, ...: parameters and buffers) as F32 tensors, with the {@link ArchitectureSpec} and
 * optional {@link Preprocessing} as JSON strings in the file's {@code __metadata__}. A saved model
 * can thus be rebuilt without code, by Backprop or by PyTorch ({@code scripts/torch_roundtrip.py}).
 *
 * <p>Metadata keys: {@value #ARCHITECTURE_KEY} (required), {@value #PREPROCESSING_KEY}
 * (optional), {@value #AUDIO_KEY} (optional: a speech model's feature settings), {@code format = pt} (the convention that says the tensors use PyTorch's layout),
 * plus any extra keys the caller adds outside the {@code backprop.} namespace.
 *
 * <p>Saving is atomic (see {@link AtomicFiles}): a crash mid-save leaves the previous file intact,
 * and the crashed save's temporary file is removed by a later save of the same file.
 */
public final class ModelFile {
    /** The file-name extension of model files. */
    public static final String EXTENSION = ".safetensors";
    /** Metadata key of the architecture JSON. */
    public static final String ARCHITECTURE_KEY = "backprop.architecture";
    /** Metadata key of the preprocessing JSON. */
    public static final String PREPROCESSING_KEY = "backprop.preprocessing";
    /**
     * Metadata key of a speech model's feature settings and band statistics
     * ({@code org.backprop.audio.AudioFeatures}, which writes, reads and checks it); callers
     * pass it among the extra metadata.
     */
    public static final String AUDIO_KEY = "backprop.audio";

    private static final String RESERVED_PREFIX = "backprop.";
    private static final String FORMAT_KEY = "format";
    private static final int MAX_REPORTED = 5;

    private ModelFile() {}

    /**
     * A loaded model.
     *
     * @param model         the rebuilt network, in evaluation mode
     * @param architecture  its architecture
     * @param preprocessing the stored preprocessing, or {@link Preprocessing#none()}
     * @param metadata      the file's whole {@code __metadata__}
     */
    public record SavedModel(Sequential model, ArchitectureSpec architecture, Preprocessing preprocessing,
            Map<String, String> metadata) {
        public SavedModel {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** {@code dir/<name>.safetensors}. */
    public static Path path(Path dir, String name) {
        return dir.resolve(name + EXTENSION);
    }

    /** Saves {@code model} without preprocessing information. */
    public static void save(Path file, Sequential model) throws IOException {
        save(file, model, Preprocessing.none(), Map.of());
    }

    /** Saves {@code model} and its preprocessing. */
    public static void save(Path file, Sequential model, Preprocessing preprocessing) throws IOException {
        save(file, model, preprocessing, Map.of());
    }

    /**
     * Atomically saves {@code model}, its preprocessing and extra metadata strings to {@code file}.
     *
     * @throws IllegalArgumentException if the model has layers a model file cannot describe
     *                                  (naming them), the preprocessing does not fit the model's
     *                                  input or output size, or an extra key is reserved
     */
    public static void save(Path file, Sequential model, Preprocessing preprocessing, Map<String, String> extraMetadata)
            throws IOException {
        save(file, model, List.of(), preprocessing, extraMetadata);
    }

    /**
     * As {@link #save(Path, Sequential, Preprocessing, Map)}, recording that the network takes
     * samples of {@code inputShape} (without the batch axis, e.g. {@code [1, 28, 28]}; empty when
     * not known), so that readers can show layer output shapes and reshape flat rows into images.
     *
     * @throws IllegalArgumentException also when a layer cannot take what the one before gives
     */
    public static void save(Path file, Sequential model, List<Integer> inputShape, Preprocessing preprocessing,
            Map<String, String> extraMetadata) throws IOException {
        ArchitectureSpec architecture = ArchitectureSpec.of(model, inputShape);
        checkFits(preprocessing, architecture);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, "pt");
        metadata.put(ARCHITECTURE_KEY, architecture.toJson());
        if (!preprocessing.isEmpty()) metadata.put(PREPROCESSING_KEY, preprocessing.toJson());
        for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
            if (!e.getKey().equals(AUDIO_KEY) && (e.getKey().startsWith(RESERVED_PREFIX) || e.getKey().equals(FORMAT_KEY))) {
                throw new IllegalArgumentException("ModelFile.save: metadata key '" + e.getKey()
                        + "' is reserved (keys starting with '" + RESERVED_PREFIX + "' other than '" + AUDIO_KEY + "', and '"
                        + FORMAT_KEY + "')");
            }
            metadata.put(e.getKey(), e.getValue());
        }
        SafeTensors.write(file, model.stateDict(), metadata);
    }

    /**
     * Loads a model saved by {@link #save}: reads the file, rebuilds the architecture, checks that
     * the tensors match it by name and shape, and copies them in.
     *
     * @throws SafeTensorsFormatException if the file is not valid safetensors
     * @throws ModelFileException         if it is, but not a model Backprop can rebuild
     */
    public static SavedModel load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> metadata = contents.metadata();
        Description d = describe(file, metadata, contents.tensors().keySet());
        ArchitectureSpec architecture = d.architecture();
        Preprocessing preprocessing = d.preprocessing();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        contents.tensors().forEach((k, v) -> shapes.put(k, v.shape()));
        checkTensors(file, shapes, architecture);
        String bad = TensorChecks.problem("", contents.tensors());
        if (bad != null) throw new ModelFileException(file, bad);
        Sequential model = architecture.build(new Random(0)); // the draws are overwritten just below
        model.loadStateDict(contents.tensors());
        model.eval();
        return new SavedModel(model, architecture, preprocessing, metadata);
    }

    /**
     * What a model file says about the model without reading its weights: the architecture,
     * preprocessing and metadata, with the tensors' names and shapes checked against the
     * architecture. Reads only the header, so it is quick and small for any file size.
     */
    public record Description(ArchitectureSpec architecture, Preprocessing preprocessing, Map<String, String> metadata) {}

    /** Reads and checks only the header of a model file; see {@link Description}. */
    public static Description describe(Path file) throws IOException {
        SafeTensors.Header header = SafeTensors.readHeader(file);
        Description d = describe(file, header.metadata(), header.tensors().keySet());
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, SafeTensors.TensorInfo> e : header.tensors().entrySet()) {
            long[] dims = e.getValue().shape();
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) shape[i] = (int) Math.min(dims[i], Integer.MAX_VALUE);
            shapes.put(e.getKey(), shape);
        }
        checkTensors(file, shapes, d.architecture());
        return d;
    }

    private static Description describe(Path file, Map<String, String> metadata, java.util.Collection<String> names)
            throws ModelFileException {
        String architectureJson = metadata.get(ARCHITECTURE_KEY);
        if (architectureJson == null) {
            throw new ModelFileException(file, "no \"" + ARCHITECTURE_KEY + "\" in the metadata, so the network "
                    + "cannot be rebuilt (the file holds tensors " + abbreviate(names) + ")");
        }
        try {
            ArchitectureSpec architecture = ArchitectureSpec.fromJson(architectureJson);
            String preprocessingJson = metadata.get(PREPROCESSING_KEY);
            Preprocessing preprocessing = preprocessingJson == null ? Preprocessing.none()
                    : Preprocessing.fromJson(preprocessingJson);
            checkFits(preprocessing, architecture);
            return new Description(architecture, preprocessing, metadata);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
            throw new ModelFileException(file, Untrusted.line(String.valueOf(e.getMessage())), e);
        }
    }

    private static void checkTensors(Path file, Map<String, int[]> tensors, ArchitectureSpec architecture)
            throws ModelFileException {
        Map<String, int[]> expected = architecture.stateShapes();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] t = tensors.get(e.getKey());
            String layer = layerOf(e.getKey(), architecture);
            if (t == null) {
                problems.add("tensor " + Untrusted.quote(e.getKey()) + " of " + layer + " is missing");
            } else if (!Arrays.equals(t, e.getValue())) {
                problems.add("tensor " + Untrusted.quote(e.getKey()) + " has shape " + Arrays.toString(t) + " but "
                        + layer + " needs " + Arrays.toString(e.getValue()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("tensor " + Untrusted.quote(name) + " belongs to no layer of the architecture");
            }
        }
        if (!problems.isEmpty()) {
            String shown = String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_REPORTED)));
            if (problems.size() > MAX_REPORTED) shown += "; and " + (problems.size() - MAX_REPORTED) + " more";
            throw new ModelFileException(file, "the tensors do not match the architecture: " + shown);
        }
    }

    private static String layerOf(String parameter, ArchitectureSpec architecture) {
        int index = Integer.parseInt(parameter.substring(0, parameter.indexOf('.')));
        return "layer " + index + " " + architecture.layers().get(index).describe();
    }

    /** Preprocessing must describe as many features as the network takes, and targets as it gives. */
    private static void checkFits(Preprocessing p, ArchitectureSpec architecture) {
        int features = p.featureCount();
        architecture.inputSize().ifPresent(in -> {
            if (features >= 0 && features != in) {
                throw new IllegalArgumentException("preprocessing describes " + features + " features but the network "
                        + "takes " + in + " inputs");
            }
        });
        float[] targetMeans = p.targetMeans();
        architecture.outputSize().ifPresent(out -> {
            if (targetMeans != null && targetMeans.length != out) {
                throw new IllegalArgumentException("preprocessing has " + targetMeans.length + " target means but the "
                        + "network gives " + out + " outputs");
            }
        });
    }

    private static String abbreviate(java.util.Collection<String> names) {
        List<String> list = names.stream().limit(MAX_REPORTED).map(Untrusted::quote).toList();
        String shown = "[" + String.join(", ", list) + "]";
        return names.size() <= MAX_REPORTED ? shown : shown + " and " + (names.size() - MAX_REPORTED) + " more";
    }
}
