package org.backprop.optim;

import java.util.List;
import java.util.function.IntConsumer;
import org.backprop.kernel.Parallel;
import org.backprop.nn.Parameter;

/**
 * Runs a per-parameter loop as one parallel region: the parameters that have a gradient, in
 * contiguous runs of about equal element counts, one run per kernel thread. A GPT has ~50
 * parameters of 128 to 65,536 elements; splitting each one's loop on its own made ~25 hand-offs
 * per optimizer step (and left the small ones on one thread), where this makes one. Any split
 * of a parameter's own loop inside the body runs serially on its thread ({@link Parallel}).
 * The body of each index runs exactly once, on one thread, so per-parameter results are the
 * same bits whatever the split.
 */
final class ParameterSplit {
    private ParameterSplit() {}

    /** Below this many gradient elements in all, the loop stays on the calling thread. */
    private static final long MIN_ELEMENTS = 2 * Parallel.MIN_ELEMENTS_PER_THREAD;

    static void forEach(List<Parameter> params, IntConsumer body) {
        int n = params.size();
        long total = 0;
        for (Parameter p : params) if (p.grad() != null) total += p.numel();
        int parts = (int) Math.min(Parallel.THREADS, Math.max(1, total / MIN_ELEMENTS));
        if (parts == 1) {
            for (int i = 0; i < n; i++) if (params.get(i).grad() != null) body.accept(i);
            return;
        }
        // cut[k]: the first parameter of run k, where the running element count passes total·k/parts
        int[] cut = new int[parts + 1];
        cut[parts] = n;
        long seen = 0;
        for (int i = 0, k = 1; i < n && k < parts; i++) {
            if (params.get(i).grad() != null) seen += params.get(i).numel();
            while (k < parts && seen * parts >= total * k) cut[k++] = i + 1;
        }
        Parallel.forEach(parts, total, part -> {
            for (int i = cut[part]; i < cut[part + 1]; i++) if (params.get(i).grad() != null) body.accept(i);
        });
    }
}
