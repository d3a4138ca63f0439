package org.backprop.cli;

import org.backprop.data.CsvFormat;
import picocli.CommandLine.Option;

/** How the commands that read CSV files read them: {@code --skip-lines} for files with a preamble. */
final class CsvInput {
    @Option(names = "--skip-lines", defaultValue = "0", paramLabel = "N",
            description = "Lines of a CSV file to skip before its header (default: ${DEFAULT-VALUE}).")
    int skipLines;

    CsvFormat format() {
        if (skipLines < 0) throw new IllegalArgumentException("--skip-lines must be 0 or more, got " + skipLines);
        return CsvFormat.DEFAULT.withSkipLines(skipLines);
    }
}
