package org.backprop.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time of a training step goes, by category, from the JDK's own sampling profiler (JFR
 * execution samples every millisecond): nothing in the library is instrumented, so the profile
 * costs nothing when it is not asked for, and the timed code is exactly the code that runs in the
 * benchmark. Each sample's stack is put in one category:
 * <ol>
 *   <li>the innermost frame in a GELU, softmax (attention's and the loss's log-softmax), LayerNorm
 *       or optimizer class names it (an optimizer frame outside the backward driver's, as
 *       {@code GradClip.backwardGlobalNorm} running the whole backward pass, does not);</li>
 *   <li>otherwise a frame of scaled dot-product attention anywhere on the stack makes it
 *       {@code attention} (its per-head GEMMs included);</li>
 *   <li>otherwise a GEMM frame makes it {@code gemm} (the linear layers and the tied head), any
 *       of the GEMM classes' frames: a kernel worker running its share of a split product has no
 *       {@code Gemm} frame on its stack (counted as {@code other}, that was 35% of a 2-thread
 *       profile);</li>
 *   <li>anything else (embeddings, residual adds, autograd bookkeeping, data) is {@code other}.</li>
 * </ol>
 * A category's share is its share of the samples; times per step are that share of the measured
 * wall time per step.
 */
final class StepProfile {
    static final List<String> CATEGORIES = List.of("attention", "gemm", "softmax", "layernorm", "gelu", "optimizer", "other");

    /** {@code -Dbackprop.profile.detail=N}: also print the N most sampled (category, library frame, innermost frame) triples to stderr. */
    private static final int DETAIL = Integer.getInteger("backprop.profile.detail", 0);
    /** {@code -Dbackprop.profile.depth=D}: how many library frames (innermost first) name a stack in the detail. */
    private static final int DETAIL_DEPTH = Integer.getInteger("backprop.profile.depth", 1);

    private StepProfile() {}

    private static String shortName(String cls) {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    /** Runs {@code step} {@code steps} times under the sampler; one JSON-ready map of per-category shares and ms per step. */
    static Map<String, Object> profile(int steps, Runnable step) {
        Map<String, Integer> samples = new LinkedHashMap<>(), detail = new LinkedHashMap<>();
        for (String c : CATEGORIES) samples.put(c, 0);
        long t0;
        double wall;
        Path file = null;
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1)).withStackTrace();
            r.start();
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step.run();
            wall = (System.nanoTime() - t0) / 1e9;
            r.stop();
            file = Files.createTempFile("backprop-profile", ".jfr");
            r.dump(file);
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getStackTrace() == null) continue;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                String[] classes = new String[frames.size()], methods = new String[frames.size()];
                for (int i = 0; i < classes.length; i++) {
                    classes[i] = frames.get(i).getMethod().getType().getName();
                    methods[i] = frames.get(i).getMethod().getName();
                }
                String cat = category(classes, methods);
                samples.merge(cat, 1, Integer::sum);
                if (DETAIL > 0) {
                    String top = classes.length == 0 ? "?" : shortName(classes[0]) + "." + methods[0];
                    StringBuilder own = new StringBuilder();
                    for (int i = 0, n = 0; i < classes.length && n < DETAIL_DEPTH; i++) {
                        if (classes[i].startsWith("org.backprop.")) {
                            own.append(n++ == 0 ? "" : " < ").append(shortName(classes[i])).append('.').append(methods[i])
                                    .append(':').append(frames.get(i).getLineNumber());
                        }
                    }
                    detail.merge(cat + " | " + own + " | " + top, 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) file.toFile().delete();
        }
        int total = samples.values().stream().mapToInt(Integer::intValue).sum();
        if (DETAIL > 0) {
            System.err.println("profile detail: category | innermost library frame | innermost frame (share of all samples)");
            detail.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(DETAIL)
                    .forEach(e -> System.err.printf("%6.2f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("steps", steps);
        o.put("ms_per_step", 1000 * wall / steps);
        o.put("samples", total);
        for (String c : CATEGORIES) o.put(c + "_share", total == 0 ? 0.0 : samples.get(c) / (double) total);
        for (String c : CATEGORIES) o.put(c + "_ms", total == 0 ? 0.0 : 1000 * wall / steps * samples.get(c) / total);
        return o;
    }

    /** The category of one stack, innermost frame first (rules in the class comment). */
    static String category(String[] classes, String[] methods) {
        boolean underBackward = false; // a backward pass driven from an optimizer's frame (GradClip.backwardGlobalNorm) is not the optimizer's
        for (int i = 0; i < classes.length; i++) {
            String cls = outer(classes[i]);
            String leaf = leaf(cls, methods[i]);
            if (leaf != null && !(underBackward && leaf.equals("optimizer"))) return leaf;
            if (cls.equals("org.backprop.tensor.Autograd")) underBackward = true;
        }
        for (String c : classes) if (outer(c).equals("org.backprop.nn.Attention")) return "attention";
        for (String c : classes) {
            String o = outer(c);
            // GemmVector, GemmKernels, GemmPack, PackAVector: a kernel worker's share of a split product has no Gemm frame
            if (o.startsWith("org.backprop.kernel.Gemm") || o.equals("org.backprop.kernel.PackAVector")
                    || o.equals("org.backprop.kernel.NativeBlas") || o.equals("org.backprop.tensor.MatMul")) {
                return "gemm";
            }
        }
        return "other";
    }

    private static String leaf(String cls, String method) {
        String m = method.toLowerCase(java.util.Locale.ROOT);
        if (cls.equals("org.backprop.kernel.Gelu") || m.contains("gelu")) return "gelu";
        if (cls.equals("org.backprop.kernel.Softmax") || m.contains("softmax")
                || cls.startsWith("org.backprop.loss.")) {
            return "softmax";
        }
        if (cls.equals("org.backprop.nn.LayerNorm")) return "layernorm";
        if (cls.startsWith("org.backprop.optim.")) return "optimizer";
        return null;
    }

    /** The top-level class of a nested, anonymous or lambda class name ({@code a.B$1}, {@code a.B$$Lambda/0x…}). */
    private static String outer(String cls) {
        int d = cls.indexOf('$');
        return d < 0 ? cls : cls.substring(0, d);
    }
}
