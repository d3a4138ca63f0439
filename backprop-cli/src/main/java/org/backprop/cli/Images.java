package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.backprop.data.FashionMnist;
import org.backprop.data.Idx;
import org.backprop.guard.InputLimits;
import org.backprop.tensor.Tensor;

/**
 * Images to predict for, as flat rows of pixels scaled to [0, 1] (byte / 255, as Fashion-MNIST
 * is in training), with their labels when the source has them.
 *
 * @param pixels [count, height·width]
 * @param labels the true class of each image, or {@code null} when unknown
 */
record Images(Tensor pixels, int[] labels) {

    int count() {
        return pixels.size(0);
    }

    /**
     * Fashion-MNIST's official test part ({@code fashion-mnist}) or an IDX image file, the first
     * {@code limit} images ({@code null}: all), checked against the model's input.
     */
    static Images load(String data, FashionDir fashionDir, Predictor predictor, Integer limit) throws IOException {
        List<String> named = predictor.saved().preprocessing().featureNames();
        if (named != null) {
            throw new IllegalArgumentException("--data takes images, but the model takes named feature columns ("
                    + String.join(", ", named.subList(0, Math.min(5, named.size()))) + (named.size() > 5 ? ", ..." : "")
                    + "): give them in a CSV file");
        }
        float[] pixels;
        int[] labels = null, dims;
        String source;
        if (TrainSetup.isFashionMnist(data)) {
            FashionMnist.Split test = fashionDir.load().test();
            pixels = test.pixels();
            labels = test.labels();
            dims = new int[] {test.size(), 28, 28};
            source = "fashion-mnist";
        } else {
            Path file = Path.of(data);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--data: '" + data + "' is neither fashion-mnist nor an existing IDX "
                        + "image file");
            }
            Idx.Data idx = Idx.read(file, Idx.IMAGES);
            dims = idx.dims();
            InputLimits.checkBytes(file.toString(), "the images as floats", (long) idx.values().length * Float.BYTES);
            pixels = new float[idx.values().length];
            for (int i = 0; i < pixels.length; i++) pixels[i] = idx.unsigned(i) / 255f;
            source = file.getFileName().toString();
        }
        if ((long) dims[1] * dims[2] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(source + " holds " + dims[1] + "×" + dims[2] + " images, too large");
        }
        int size = dims[1] * dims[2];
        List<Integer> shape = predictor.saved().architecture().inputShape();
        int inputs = predictor.saved().architecture().inputSize().orElseThrow(() -> new IllegalArgumentException(
                "the model records no input shape, so images cannot be matched to it"));
        boolean fits = shape.size() == 3 ? shape.equals(List.of(1, dims[1], dims[2])) : inputs == size;
        if (!fits) {
            throw new IllegalArgumentException(source + " holds " + dims[1] + "×" + dims[2] + " images but the model takes "
                    + (shape.isEmpty() ? inputs + " inputs" : shape.toString()));
        }
        int n = limit == null ? dims[0] : Math.min(limit, dims[0]);
        if (n == 0) throw new IllegalArgumentException(source + " holds no images");
        return new Images(Tensor.wrap(Arrays.copyOf(pixels, n * size), n, size),
                labels == null ? null : Arrays.copyOf(labels, n));
    }
}
