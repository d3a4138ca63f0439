package org.backprop.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.backprop.inference.InferenceModel;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Activation;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.shape.Window2d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backprop-core as a Java module: a small modular application ({@code module demo { requires
 * org.backprop.core; }}) is compiled against the module's exports (a convolution with its
 * {@code shape.Window2d}, an inference model) and run on the module path in a child JVM, with and
 * without the Vector API module, and predicts what the library predicts here, on the class path.
 * A consumer naming the kernels (not exported) does not compile.
 */
class ModulePathTest {
    private static final String MAIN = """
            package demo;

            import java.util.Arrays;
            import java.util.List;
            import java.util.Random;
            import org.backprop.inference.InferenceModel;
            import org.backprop.io.Preprocessing;
            import org.backprop.nn.Activation;
            import org.backprop.nn.Conv2d;
            import org.backprop.nn.Flatten;
            import org.backprop.nn.Linear;
            import org.backprop.nn.Sequential;
            import org.backprop.shape.Window2d;

            public class Main {
                public static void main(String[] args) {
                    Random rng = new Random(1);
                    Sequential net = new Sequential(new Conv2d(1, 2, Window2d.of(3, 1, 1), true, rng), new Flatten(),
                            new Linear(32, 3, rng), new Activation.Tanh());
                    InferenceModel model = InferenceModel.of(net, List.of(1, 4, 4), Preprocessing.none());
                    float[] x = new float[16];
                    for (int i = 0; i < x.length; i++) x[i] = i / 8f - 1;
                    System.out.println(InferenceModel.class.getModule().getName() + " "
                            + Arrays.toString(model.predict(x)));
                }
            }
            """;

    private static final String KERNEL_USER = """
            package demo;

            public class Internal {
                public static void main(String[] args) {
                    org.backprop.kernel.Gemm.sgemm(false, false, 1, 1, 1, 1f, new float[1], 0, 1, new float[1], 0, 1,
                            0f, new float[1], 0, 1);
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void aModularApplicationRunsTheLibraryOnTheModulePath() throws Exception {
        assertFalse(InferenceModel.class.getModule().isNamed(), "the tests themselves run on the class path");
        Path src = Files.createDirectories(tmp.resolve("src/demo"));
        Files.writeString(tmp.resolve("src/module-info.java"), "module demo { requires org.backprop.core; }\n");
        Files.writeString(src.resolve("Main.java"), MAIN);
        Path out = tmp.resolve("out");
        String modulePath = String.join(File.pathSeparator, libraryModulePath());
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(),
                "--module-path", modulePath, "-Xlint:-incubating",
                tmp.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());
        assertEquals(0, compiled, "the demo module compiles against org.backprop.core");

        Random rng = new Random(1);
        Sequential net = new Sequential(new Conv2d(1, 2, Window2d.of(3, 1, 1), true, rng), new Flatten(),
                new Linear(32, 3, rng), new Activation.Tanh());
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) x[i] = i / 8f - 1;
        float[] expected = InferenceModel.of(net, List.of(1, 4, 4), Preprocessing.none()).predict(x);
        String runPath = out + File.pathSeparator + modulePath;
        // Without the Vector API (the scalar kernels) and with it: the same predictions within float rounding.
        for (List<String> flags : List.of(List.<String>of(), List.of("--add-modules", "jdk.incubator.vector"))) {
            String output = runDemo(flags, runPath);
            String line = output.strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(line.startsWith("org.backprop.core ["), flags + ": " + output);
            String[] cells = line.substring(line.indexOf('[') + 1, line.length() - 1).split(", ");
            assertEquals(expected.length, cells.length, output);
            for (int i = 0; i < cells.length; i++) assertEquals(expected[i], Float.parseFloat(cells[i]), 1e-6f, output);
        }

        Path internal = Files.createDirectories(tmp.resolve("internal/demo"));
        Files.writeString(tmp.resolve("internal/module-info.java"), "module demo { requires org.backprop.core; }\n");
        Files.writeString(internal.resolve("Internal.java"), KERNEL_USER);
        java.io.StringWriter errors = new java.io.StringWriter();
        boolean kernelUserCompiled = ToolProvider.getSystemJavaCompiler().getTask(errors, null, null,
                List.of("-d", tmp.resolve("internal-out").toString(), "--module-path", modulePath),
                null, ToolProvider.getSystemJavaCompiler().getStandardFileManager(null, null, null)
                        .getJavaFileObjects(tmp.resolve("internal/module-info.java"), internal.resolve("Internal.java")))
                .call();
        assertFalse(kernelUserCompiled, "a consumer of the unexported kernels compiles");
        assertTrue(errors.toString().contains("org.backprop.kernel"), errors.toString());
    }

    private static String runDemo(List<String> flags, String modulePath) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("--module-path", modulePath, "-m", "demo/demo.Main"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo finished");
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    /** backprop-core's compiled classes (with module-info.class) and the jars of its two dependencies. */
    private static List<String> libraryModulePath() throws URISyntaxException, IOException {
        List<String> path = new ArrayList<>();
        Path classes = Path.of(InferenceModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.exists(classes.resolve("module-info.class")), classes + " has module-info.class");
        path.add(classes.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("slf4j-api-") || name.startsWith("gson-")) path.add(entry);
        }
        assertEquals(3, path.size(), "core classes, slf4j-api and gson: " + path);
        return path;
    }
}
