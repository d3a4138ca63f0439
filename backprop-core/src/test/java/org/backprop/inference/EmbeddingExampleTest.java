package org.backprop.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.tools.ToolProvider;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding program of README.md, taken from the README, compiled and run on a saved model. */
class EmbeddingExampleTest {
    private static final String MARKER = "<!-- embedding-example: compiled and run by EmbeddingExampleTest -->";

    @TempDir
    Path tmp;

    @Test
    void theReadmeProgramLoadsAModelFileAndPredicts() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf(MARKER);
        assertTrue(at >= 0, "README.md has the embedding example");
        int start = readme.indexOf("```java\n", at) + "```java\n".length();
        String program = readme.substring(start, readme.indexOf("```", start));
        assertTrue(program.lines().count() <= 16, "a short program: " + program.lines().count() + " lines");
        Files.writeString(tmp.resolve("Predict.java"), program);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", tmp.toString(),
                "-cp", System.getProperty("java.class.path"), tmp.resolve("Predict.java").toString()));

        Random rng = new Random(11);
        Sequential net = new Sequential(new Linear(3, 8, rng), new Activation.ReLU(), new Linear(8, 1, rng));
        Preprocessing p = new Preprocessing(Preprocessing.Task.REGRESSION, List.of("rooms", "age", "tax"), "price",
                new float[] {6f, 60f, 400f}, new float[] {0.7f, 28f, 170f}, new float[] {22f}, new float[] {9f});
        Path file = tmp.resolve("model.safetensors");
        ModelFile.save(file, net, p);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass("Predict").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {file.toString(), "6.5", "45", "300"});
        } finally {
            System.setOut(out);
        }
        float[] expected = InferenceModel.load(file).predict(new float[] {6.5f, 45f, 300f});
        assertEquals(Arrays.toString(expected), captured.toString(StandardCharsets.UTF_8).strip());
        assertTrue(Math.abs(expected[0] - 22f) < 40f, "a price in the target's units: " + expected[0]);
    }
}
