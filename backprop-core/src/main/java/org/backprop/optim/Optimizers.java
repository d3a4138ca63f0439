package org.backprop.optim;

import java.util.List;
import java.util.Locale;
import org.backprop.nn.Parameter;

/**
 * The optimizers by name, for front ends such as the command line: the names, and the settings a
 * run starts from when it names only the rule. Those are each rule's own defaults (PyTorch's,
 * e.g. {@link Adam#DEFAULT_LR}), except for the two stated here with their reasons.
 */
public final class Optimizers {
    /** The names {@link #create} knows. */
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad");

    /**
     * SGD's momentum when a run names SGD without one: heavy-ball momentum 0.9, the usual choice,
     * rather than {@link SGD#DEFAULT_MOMENTUM} (plain SGD, PyTorch's constructor default).
     */
    public static final double SGD_MOMENTUM = 0.9;

    /**
     * SGD's learning rate when a run gives none: 0.05, a step that trains the command line's
     * networks in tens of epochs; {@link SGD#DEFAULT_LR} (1e-3) barely moves them in that time.
     */
    public static final double SGD_LR = 0.05;

    /**
     * RMSprop's learning rate when a run gives none: Adam's 1e-3, since RMSprop is Adam without
     * the first moment; {@link RMSprop#DEFAULT_LR} (1e-2, PyTorch's) takes steps ten times larger.
     */
    public static final double RMSPROP_LR = Adam.DEFAULT_LR;

    private Optimizers() {}

    /** The learning rate a run with optimizer {@code name} starts from when none is given. */
    public static double defaultLr(String name) {
        return switch (canonical(name)) {
            case "sgd" -> SGD_LR;
            case "adam", "adamw" -> Adam.DEFAULT_LR;
            case "rmsprop" -> RMSPROP_LR;
            case "adagrad" -> Adagrad.DEFAULT_LR;
            default -> throw unknown(name);
        };
    }

    /**
     * The optimizer {@code name} over {@code params}; the settings not given take the rule's
     * defaults (AdamW's weight decay included, when {@code weightDecay} is 0 it is 0).
     *
     * @param momentum used by SGD only
     */
    public static Optimizer create(String name, List<Parameter> params, double lr, double momentum, double weightDecay) {
        return switch (canonical(name)) {
            case "sgd" -> new SGD(params, SGD.Options.defaults().lr(lr).momentum(momentum).weightDecay(weightDecay));
            case "adam" -> new Adam(params, Adam.Options.defaults().lr(lr).weightDecay(weightDecay));
            case "adamw" -> new AdamW(params, AdamW.defaults().lr(lr).weightDecay(weightDecay));
            case "rmsprop" -> new RMSprop(params, RMSprop.Options.defaults().lr(lr).weightDecay(weightDecay));
            case "adagrad" -> new Adagrad(params, Adagrad.Options.defaults().lr(lr).weightDecay(weightDecay));
            default -> throw unknown(name);
        };
    }

    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown optimizer '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
}
