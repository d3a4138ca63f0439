package org.backprop.spark;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An image folder (one sub-folder per class, named as the class, holding PNG, JPEG, GIF or BMP
 * files of one size) read on the executors: the driver lists the files, each partition decodes
 * its own with ImageIO. Classes are the sub-folders in name order; files are dealt to partitions
 * in turn, so that every partition sees every class. Features are [channels, height, width]
 * values / 255 (channels 1: luminance; 3: red, green, blue).
 */
final class ImageFolderFiles {
    private ImageFolderFiles() {}

    /** One partition's files and their labels. */
    record Files(String[] uris, int[] labels, int channels) implements FileRdd.Slice {
        @Override
        public List<Sample> read(Configuration conf) throws IOException {
            List<Sample> out = new ArrayList<>(uris.length);
            int[] size = null;
            for (int i = 0; i < uris.length; i++) {
                Path path = new Path(uris[i]);
                BufferedImage img;
                try (var in = path.getFileSystem(conf).open(path)) {
                    img = ImageIO.read(in);
                }
                if (img == null) throw new IOException(uris[i] + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
                int[] s = {img.getWidth(), img.getHeight()};
                if (size == null) size = s;
                else if (!Arrays.equals(size, s)) {
                    throw new IOException(uris[i] + ": " + s[0] + "x" + s[1] + " pixels where " + uris[0] + " has " + size[0] + "x"
                            + size[1] + "; every image must have the same size");
                }
                out.add(Sample.labeled(pixels(img, channels), labels[i]));
            }
            return out;
        }
    }

    static float[] pixels(BufferedImage img, int channels) {
        int w = img.getWidth(), h = img.getHeight(), plane = w * h;
        float[] x = new float[channels * plane];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                int rgb = img.getRGB(c, y), r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                int at = y * w + c;
                if (channels == 1) {
                    x[at] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
                } else {
                    x[at] = r / 255f;
                    x[plane + at] = g / 255f;
                    x[2 * plane + at] = b / 255f;
                }
            }
        }
        return x;
    }

    /** The class names (sub-folders in name order) and the partitions' slices. */
    record Listing(List<String> classes, List<Files> slices) {}

    static Listing list(String root, int channels, int partitions, Configuration conf) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("SparkData.fromImageFolder: channels must be 1 or 3, got " + channels);
        if (partitions < 1) throw new IllegalArgumentException("SparkData.fromImageFolder: partitions must be >= 1, got " + partitions);
        Path dir = new Path(root);
        FileSystem fs = dir.getFileSystem(conf);
        FileStatus[] entries;
        try {
            entries = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("SparkData.fromImageFolder: no folder at " + root);
        }
        FileStatus[] classDirs = Arrays.stream(entries).filter(FileStatus::isDirectory)
                .sorted(Comparator.comparing(f -> f.getPath().getName())).toArray(FileStatus[]::new);
        if (classDirs.length == 0) throw new IOException("SparkData.fromImageFolder: " + root + " has no class sub-folders");
        List<String> classes = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (FileStatus d : classDirs) {
            int label = classes.size();
            classes.add(d.getPath().getName());
            FileStatus[] files = Arrays.stream(fs.listStatus(d.getPath())).filter(FileStatus::isFile)
                    .filter(f -> !f.getPath().getName().startsWith(".")).sorted(Comparator.comparing(f -> f.getPath().getName()))
                    .toArray(FileStatus[]::new);
            if (files.length == 0) throw new IOException("SparkData.fromImageFolder: class folder " + d.getPath() + " holds no files");
            for (FileStatus f : files) {
                uris.add(f.getPath().toString());
                labels.add(label);
            }
        }
        List<Files> slices = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<String> u = new ArrayList<>();
            List<Integer> l = new ArrayList<>();
            for (int i = p; i < uris.size(); i += partitions) {
                u.add(uris.get(i));
                l.add(labels.get(i));
            }
            slices.add(new Files(u.toArray(String[]::new), l.stream().mapToInt(Integer::intValue).toArray(), channels));
        }
        return new Listing(List.copyOf(classes), slices);
    }
}
