package org.backprop.arch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The dependency rules of docs/ARCHITECTURE.md ("Rules the build checks") as data, and the checks
 * that apply them to the class references {@link ClassDependencies} reads.
 */
final class ArchitectureRules {
    private ArchitectureRules() {}

    /** The modules above core: nothing in core refers to them. */
    static final Set<String> ABOVE_CORE = Set.of("cli", "spark", "bench");

    /** Package → the library packages it must not refer to (besides {@link #ABOVE_CORE}). */
    static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "tensor", Set.of("autograd", "nn"),
            "autograd", Set.of("nn", "optim", "train"),
            "nn", Set.of("train", "io", "cli"));

    /**
     * Bottom packages → the only library packages they may refer to: the kernels see nothing of
     * the library but the window geometry they take ({@code shape.Window2d}), which sees nothing.
     */
    static final Map<String, Set<String>> ONLY = Map.of(
            "kernel", Set.of("shape"),
            "shape", Set.of());

    /** The longest main source file, in lines, unless it is on {@link #LONG_FILES}. */
    static final int MAX_LINES = 400;

    /**
     * Main source files allowed past {@link #MAX_LINES}, each with its reason. Keep this short:
     * a file lands here only when splitting it would scatter one thing.
     */
    static final Map<String, String> LONG_FILES = Map.of(
            // The public face of every tensor operation: one short method per op, delegating to
            // Elementwise, Reductions, Views and MatMul; split, users would not find the methods.
            "backprop-core/src/main/java/org/backprop/tensor/Tensor.java", "one method per operation",
            // The reader's hostile-file checks belong beside the format they check.
            "backprop-core/src/main/java/org/backprop/io/SafeTensors.java", "format and its checks",
            // Spark's driver loop, its two strategies and their checkpoints (issue of the Spark helper).
            "backprop-spark/src/main/java/org/backprop/spark/SparkTrainer.java", "one training loop",
            // Debt, not design: it grew past the budget when the table work (text cells, missing
            // values) and the hardening work (bounds, quoting) met in it; its cell typing belongs in Cells.
            "backprop-core/src/main/java/org/backprop/data/CsvTable.java", "to be split");

    /** Every broken rule, one line each, e.g. {@code tensor refers to nn (org/backprop/tensor/Foo)}. */
    static List<String> violations(Map<String, Set<String>> classRefs) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : classRefs.entrySet()) {
            String pkg = ClassDependencies.packageOf(e.getKey());
            for (String target : e.getValue()) {
                if (target.equals(pkg)) continue;
                boolean broken = ABOVE_CORE.contains(target)
                        || FORBIDDEN.getOrDefault(pkg, Set.of()).contains(target)
                        || ONLY.containsKey(pkg) && !ONLY.get(pkg).contains(target);
                if (broken) out.add(pkg + " refers to " + target + " (" + e.getKey() + ")");
            }
        }
        out.addAll(cycles(packageGraph(classRefs)));
        return out;
    }

    /** Package → the other library packages its classes refer to. */
    static Map<String, Set<String>> packageGraph(Map<String, Set<String>> classRefs) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Map.Entry<String, Set<String>> e : classRefs.entrySet()) {
            String pkg = ClassDependencies.packageOf(e.getKey());
            Set<String> targets = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (String t : e.getValue()) if (!t.equals(pkg)) targets.add(t);
        }
        return graph;
    }

    /** Each pair of packages that reach each other, e.g. {@code package cycle: kernel ⇄ tensor}. */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Map<String, Set<String>> reach = new TreeMap<>();
        for (String p : graph.keySet()) reach.put(p, reachable(graph, p));
        List<String> out = new ArrayList<>();
        for (String a : graph.keySet()) {
            for (String b : reach.get(a)) {
                if (a.compareTo(b) < 0 && reach.getOrDefault(b, Set.of()).contains(a)) {
                    out.add("package cycle: " + a + " ⇄ " + b);
                }
            }
        }
        return out;
    }

    private static Set<String> reachable(Map<String, Set<String>> graph, String from) {
        Set<String> seen = new TreeSet<>();
        List<String> stack = new ArrayList<>(graph.getOrDefault(from, Set.of()));
        while (!stack.isEmpty()) {
            String p = stack.removeLast();
            if (seen.add(p)) stack.addAll(graph.getOrDefault(p, Set.of()));
        }
        return seen;
    }

    /** Main source files under the project {@code root} longer than allowed, with their lengths. */
    static List<String> longFiles(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                if (!rel.matches("backprop-[\\w-]+/src/main/java/.*")) continue;
                long lines;
                try (Stream<String> l = Files.lines(f)) {
                    lines = l.count();
                }
                if (lines > MAX_LINES && !LONG_FILES.containsKey(rel)) out.add(rel + ": " + lines + " lines");
            }
        }
        return out;
    }
}
