package org.backprop.loss;

import java.util.List;
import java.util.Locale;

/** Losses by the names the command line uses, each with PyTorch's defaults. */
public final class Losses {
    private Losses() {}

    private static final List<String> NAMES =
            List.of("mse", "half_mse", "l1", "huber", "bce", "bce_logits", "cross_entropy", "nll");

    /** The names {@link #named} accepts. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The loss with the given name (case and '-' versus '_' do not matter): mse, half_mse, l1,
     * huber (δ = 1), bce, bce_logits, cross_entropy (no label smoothing), nll.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Loss named(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (key) {
            case "mse" -> new MSELoss();
            case "half_mse" -> new HalfSquaredError();
            case "l1" -> new L1Loss();
            case "huber" -> new HuberLoss();
            case "bce" -> new BCELoss();
            case "bce_logits" -> new BCEWithLogitsLoss();
            case "cross_entropy" -> new CrossEntropyLoss();
            case "nll" -> new NLLLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
    }
}
