package org.backprop.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The architecture's rules, checked on the compiled classes of backprop-core and the sources of
 * every module (docs/ARCHITECTURE.md, "Rules the build checks"). The last tests plant broken
 * imports in freshly compiled classes and show the same checks catch them.
 */
class ArchitectureTest {

    private static Path coreClasses() throws URISyntaxException {
        return Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The project's root folder: surefire runs in the module's folder. */
    private static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("backprop-core")) ? here : here.getParent();
    }

    @Test
    void coreKeepsItsDependencyRulesAndHasNoPackageCycle() throws Exception {
        Map<String, Set<String>> refs = ClassDependencies.scan(coreClasses());
        assertTrue(refs.size() > 100, "found the core's classes: " + refs.size());
        assertEquals(List.of(), ArchitectureRules.violations(refs));
    }

    @Test
    void mainSourceFilesStayWithinTheLineBudget() throws IOException {
        Path root = projectRoot();
        assertTrue(Files.isDirectory(root.resolve("backprop-cli/src/main/java")), "project root " + root);
        assertEquals(List.of(), ArchitectureRules.longFiles(root));
        for (String allowed : ArchitectureRules.LONG_FILES.keySet()) {
            assertTrue(Files.isRegularFile(root.resolve(allowed)), "the allow-list names a missing file: " + allowed);
        }
    }

    @Test
    void aPlantedImportOfNnInTensorBreaksTheRules(@TempDir Path dir) throws Exception {
        Map<String, Set<String>> refs = withPlanted(dir, "tensor", "Planted",
                "final class Planted { org.backprop.nn.Module layer; }");
        assertTrue(ArchitectureRules.violations(refs).contains("tensor refers to nn (org/backprop/tensor/Planted)"),
                ArchitectureRules.violations(refs).toString());
        // nn refers to tensor already, so the planted class also closes a cycle
        assertTrue(ArchitectureRules.violations(refs).contains("package cycle: nn ⇄ tensor"),
                ArchitectureRules.violations(refs).toString());
    }

    @Test
    void aPlantedCallFromKernelIntoTheLibraryBreaksTheRules(@TempDir Path dir) throws Exception {
        // a fully qualified name in code, no import line: the class file still refers to it
        Map<String, Set<String>> refs = withPlanted(dir, "kernel", "Planted",
                "final class Planted { static int n() { return org.backprop.data.DataLoader.class.hashCode(); } }");
        List<String> v = ArchitectureRules.violations(refs);
        assertTrue(v.contains("kernel refers to data (org/backprop/kernel/Planted)"), v.toString());
        // the modules above core are not on core's class path, so that rule is shown on a recorded reference
        refs.put("org/backprop/io/Up", Set.of("io", "cli"));
        v = ArchitectureRules.violations(refs);
        assertTrue(v.contains("io refers to cli (org/backprop/io/Up)"), v.toString());
    }

    @Test
    void aFileOverTheBudgetIsNamed(@TempDir Path root) throws IOException {
        Path file = root.resolve("backprop-core/src/main/java/org/backprop/nn/Huge.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "class Huge {}\n".repeat(ArchitectureRules.MAX_LINES + 1));
        Files.writeString(file.resolveSibling("Small.java"), "class Small {}\n".repeat(ArchitectureRules.MAX_LINES));
        assertEquals(List.of("backprop-core/src/main/java/org/backprop/nn/Huge.java: 401 lines"),
                ArchitectureRules.longFiles(root));
    }

    /** The core's references plus those of one class compiled now into package {@code pkg}. */
    private static Map<String, Set<String>> withPlanted(Path dir, String pkg, String name, String body) throws Exception {
        Path src = dir.resolve("src/org/backprop/" + pkg + "/" + name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package org.backprop." + pkg + ";\n" + body + "\n");
        Path out = dir.resolve("classes");
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null, List.of("-d", out.toString(), "-proc:none", "-classpath",
                System.getProperty("java.class.path"), "--add-modules", "jdk.incubator.vector"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src)).call();
        assertTrue(ok, errors.toString());
        Map<String, Set<String>> refs = new TreeMap<>(ClassDependencies.scan(coreClasses()));
        refs.putAll(ClassDependencies.scan(out));
        return refs;
    }
}
