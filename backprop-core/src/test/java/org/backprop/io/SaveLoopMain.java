package org.backprop.io;

import java.nio.file.Path;
import java.util.Random;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * Child process of {@link ModelFileCrashTest}: saves a large model (about 32 MB) to the same
 * path over and over, each time with every value set from the version number, and prints
 * {@code saved <version>} after each save. Stops by itself after a minute in case nobody kills it.
 */
public final class SaveLoopMain {
    static final int IN = 1024;
    static final int HIDDEN = 4096;
    private static final long MAX_RUN_NANOS = 60_000_000_000L;

    private SaveLoopMain() {}

    /** The model every version uses; only the values differ. */
    static Sequential model() {
        Random rng = new Random(0);
        return new Sequential(new Linear(IN, HIDDEN, rng), new Activation.ReLU(), new Linear(HIDDEN, IN, rng));
    }

    /** The value of element {@code i} of any tensor in version {@code v}: exact in float32. */
    static float valueOf(int version, int i) {
        return version + (i % 8) * 0.125f;
    }

    /** Sets every value of the model to those of {@code version}. */
    static void setVersion(Sequential model, int version) {
        for (Tensor t : model.stateDict().values()) {
            float[] d = t.array();
            for (int i = 0; i < d.length; i++) d[i] = valueOf(version, i);
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Sequential model = model();
        long start = System.nanoTime();
        for (int version = 1; System.nanoTime() - start < MAX_RUN_NANOS; version++) {
            setVersion(model, version);
            ModelFile.save(file, model);
            System.out.println("saved " + version);
            System.out.flush();
        }
    }
}
