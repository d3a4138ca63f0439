package org.backprop.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The library without the Vector API: a JVM started without {@code --add-modules
 * jdk.incubator.vector}, on the class path, trains a small CNN ({@link TinyTraining}) on the
 * scalar kernels, says so in exactly one log line, and gets bit for bit the losses of the scalar
 * kernels chosen with {@code backprop.vectorBits=0} on a JVM that has the module. (The module-path
 * case is {@link ModulePathTest}.)
 */
class NoVectorModuleTest {
    private static final String NOTICE = "jdk.incubator.vector is not present";

    @Test
    void trainsOnTheScalarKernelsWithoutTheVectorModuleAndSaysSoOnce() throws Exception {
        String without = run(List.of());
        assertEquals(1, count(without, NOTICE), without);
        assertTrue(without.contains("kernels: scalar"), without);
        assertTrue(!without.contains("Exception") && !without.contains("\tat "), "no stack trace: " + without);

        String scalar = run(List.of("--add-modules", "jdk.incubator.vector", "-Dbackprop.vectorBits=0"));
        assertEquals(0, count(scalar, NOTICE), scalar);
        assertTrue(scalar.contains("kernels: scalar"), scalar);
        assertEquals(losses(scalar), losses(without), "the same scalar code with and without the module");
    }

    private static String run(List<String> flags) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TinyTraining.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child finished");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static String losses(String output) {
        Matcher m = Pattern.compile("losses:(( [0-9a-f]+){5})").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
        return n;
    }
}
