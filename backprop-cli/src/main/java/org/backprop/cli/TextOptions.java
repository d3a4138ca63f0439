package org.backprop.cli;

import picocli.CommandLine.Option;

/** The options of {@code train} for character language models ({@code --data shakespeare|FILE.txt}). */
final class TextOptions {
    @Option(names = "--iters", paramLabel = "N", description = "Text models: training iterations (batches) (default: 2000).")
    Integer iters;

    @Option(names = "--time", paramLabel = "DURATION", description = "Text models (lstm, gru, rnn): stop once training has "
            + "taken this long, evaluations not counted, e.g. 10m, 90s, 1h30m or 600 (seconds); --iters, if given, still caps the steps.")
    String time;

    @Option(names = "--eval-every", paramLabel = "N", description = "Text models: measure the validation loss every N iterations (default: 250).")
    Integer evalEvery;

    @Option(names = "--seq-len", paramLabel = "T", description = "Text models: characters per training window (default: 64).")
    Integer seqLen;

    @Option(names = "--hidden", paramLabel = "H", description = "Text models: hidden units of each recurrent layer (default: 128).")
    Integer hidden;

    @Option(names = "--embed", paramLabel = "E", description = "Text models: embedding size (default: 128).")
    Integer embed;

    @Option(names = "--num-layers", paramLabel = "L", description = "Text models: recurrent layers (default: 2).")
    Integer numLayers;

    @Option(names = "--dropout", paramLabel = "P", description = "Text models: dropout between recurrent layers (default: 0).")
    Float dropout;

    @Option(names = "--tbptt", description = "Text models: consecutive windows with the hidden state carried across them "
            + "(truncated backpropagation through time) instead of random windows from a zero state.")
    boolean tbptt;

    static final int ITERS = 2000;
    static final int EVAL_EVERY = 250;
    static final int HIDDEN = 128;
    static final int EMBED = 128;
    static final int LAYERS = 2;

    /** {@code --time} in seconds: {@code 10m}, {@code 90s}, {@code 1h30m}, {@code 1.5h} or plain seconds. */
    static double seconds(String duration) {
        String d = duration.trim().toLowerCase(java.util.Locale.ROOT);
        double total = 0;
        if (d.matches("\\d+(\\.\\d+)?")) {
            total = Double.parseDouble(d);
        } else if (d.matches("(\\d+(\\.\\d+)?[hms])+")) {
            var part = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)([hms])").matcher(d);
            while (part.find()) {
                double v = Double.parseDouble(part.group(1));
                total += switch (part.group(2)) { case "h" -> v * 3600; case "m" -> v * 60; default -> v; };
            }
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("--time " + duration + " is not a positive duration; write it as 10m, 90s, 1h30m or a number of seconds");
        }
        return total;
    }

    /** Whether {@code train} runs a text model: a text dataset or a recurrent model kind. */
    static boolean applies(String data, String modelKind) {
        String k = modelKind.toLowerCase(java.util.Locale.ROOT);
        if (Speech.isFsdd(data)) return false; // --model gru there reads spectrograms
        return data.equalsIgnoreCase("shakespeare") || data.toLowerCase(java.util.Locale.ROOT).endsWith(".txt")
                || k.equals("lstm") || k.equals("gru") || k.equals("rnn");
    }
}
