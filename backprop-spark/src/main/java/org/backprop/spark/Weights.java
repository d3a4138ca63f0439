package org.backprop.spark;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's weights as a round's tasks receive them: inside the task itself when small, else
 * as a broadcast. Spark already broadcasts every stage's serialised task, so a separate broadcast
 * of small weights only adds a second fetch per executor and round; large weights go as their own
 * broadcast so that a stage's task stays small. The threshold is the Spark setting
 * {@value #INLINE_KEY} (bytes; 0 broadcasts always).
 */
final class Weights implements Serializable {
    static final String INLINE_KEY = "spark.backprop.inlineWeightsBytes";
    static final long INLINE_DEFAULT = 900 * 1024; // under the 1,000 KiB at which Spark warns of a large task

    private final float[] inline;
    private final Broadcast<float[]> shared;

    private Weights(float[] inline, Broadcast<float[]> shared) {
        this.inline = inline;
        this.shared = shared;
    }

    /** The inline threshold in bytes (read once per run: {@code getConf} copies the whole configuration). */
    static long inlineLimit(JavaSparkContext sc) {
        return sc.getConf().getSizeAsBytes(INLINE_KEY, String.valueOf(INLINE_DEFAULT));
    }

    /** {@code values} for this round's tasks: inline up to {@code limit} bytes, else (or when forced) a broadcast. */
    static Weights of(JavaSparkContext sc, float[] values, long limit, boolean forcedBroadcast) {
        if (!forcedBroadcast && 4L * values.length <= limit) return new Weights(values, null);
        return new Weights(null, sc.broadcast(values));
    }

    float[] value() {
        return inline != null ? inline : shared.value();
    }

    /** Frees the broadcast copies (nothing to do for inline weights). */
    void release() {
        if (shared != null) shared.destroy();
    }
}
