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
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backprop-core as a Java module: a small modular application ({@code module demo { requires
 * org.backprop.core; }}) is compiled against the module's classes and run on the module path in
 * a child JVM, and predicts what the library predicts here, on the class path.
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
            import org.backprop.nn.Linear;
            import org.backprop.nn.Sequential;

            public class Main {
                public static void main(String[] args) {
                    Sequential net = new Sequential(new Linear(4, 3, new Random(1)), new Activation.Tanh());
                    InferenceModel model = InferenceModel.of(net, List.of(), Preprocessing.none());
                    System.out.println(InferenceModel.class.getModule().getName() + " "
                            + Arrays.toString(model.predict(new float[] {1, 2, 3, 4})));
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

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--module-path", out + File.pathSeparator + modulePath,
                "-m", "demo/demo.Main").redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo finished");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);

        Sequential net = new Sequential(new Linear(4, 3, new Random(1)), new Activation.Tanh());
        String expected = Arrays.toString(InferenceModel.of(net, List.of(), Preprocessing.none())
                .predict(new float[] {1, 2, 3, 4}));
        assertTrue(output.strip().endsWith("org.backprop.core " + expected), output);
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
