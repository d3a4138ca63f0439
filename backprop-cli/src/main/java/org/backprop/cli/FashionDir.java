package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.backprop.data.FashionMnist;
import picocli.CommandLine.Option;

/** Where the commands that take {@code --data fashion-mnist} or {@code fsdd} look for its files first: {@code --data-dir}. */
final class FashionDir {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where to look first for the Fashion-MNIST files or fsdd.tar.gz (then /usr/share/datasets/fashion-mnist "
                    + "or /usr/share/datasets/fsdd, then ~/.cache/backprop).")
    Path dir;

    /** The data set, found as {@link FashionMnist#load} describes. */
    FashionMnist load() throws IOException {
        return FashionMnist.load(dir);
    }
}
