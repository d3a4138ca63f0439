package org.backprop.spark;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.backprop.data.Idx;

/**
 * A pair of IDX files (MNIST, Fashion-MNIST: images [N, rows, cols] and labels [N], plain or
 * gzipped) read on the executors: the driver reads the two headers, each partition then reads
 * its contiguous range of items (skipping to it: a seek for a plain file, decompression up to it
 * for a gzipped one). Pixels become features in [0, 1].
 */
final class IdxFiles {
    private IdxFiles() {}

    /** One partition's items [from, to). */
    record Range(String images, String labels, int from, int to) implements FileRdd.Slice {
        @Override
        public List<Sample> read(Configuration conf) throws IOException {
            try (DataInputStream im = open(images, conf); DataInputStream lb = open(labels, conf)) {
                int[] dims = header(im, images, Idx.IMAGES);
                header(lb, labels, Idx.LABELS);
                int item = dims[1] * dims[2];
                im.skipNBytes((long) from * item);
                lb.skipNBytes(from);
                byte[] pixels = im.readNBytes((to - from) * item), marks = lb.readNBytes(to - from);
                if (pixels.length < (to - from) * item || marks.length < to - from) {
                    throw new EOFException(images + " / " + labels + ": the files end before item " + to + " that their headers promise");
                }
                List<Sample> out = new ArrayList<>(to - from);
                for (int i = 0; i < to - from; i++) {
                    float[] x = new float[item];
                    for (int j = 0; j < item; j++) x[j] = (pixels[i * item + j] & 0xff) / 255f;
                    out.add(Sample.labeled(x, marks[i] & 0xff));
                }
                return out;
            }
        }
    }

    /** The slices of {@code partitions} contiguous ranges over the files' items (checked: magic numbers, equal counts). */
    static List<Range> split(String images, String labels, int partitions, Configuration conf) throws IOException {
        if (partitions < 1) throw new IllegalArgumentException("SparkData.fromIdx: partitions must be >= 1, got " + partitions);
        int n, m;
        try (DataInputStream im = open(images, conf); DataInputStream lb = open(labels, conf)) {
            n = header(im, images, Idx.IMAGES)[0];
            m = header(lb, labels, Idx.LABELS)[0];
        }
        if (n != m) throw new IOException("SparkData.fromIdx: " + images + " holds " + n + " images but " + labels + " " + m + " labels");
        List<Range> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) out.add(new Range(images, labels, (int) ((long) n * p / partitions), (int) ((long) n * (p + 1) / partitions)));
        return out;
    }

    /** The file at {@code uri}, through Hadoop's FileSystem, gunzipped when it starts with gzip's magic bytes. */
    static DataInputStream open(String uri, Configuration conf) throws IOException {
        Path path = new Path(uri);
        InputStream raw;
        try {
            raw = new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("SparkData.fromIdx: no file at " + uri);
        }
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        return new DataInputStream(b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw);
    }

    /** Reads and checks a header: the magic number, then one size per dimension. */
    static int[] header(DataInputStream in, String name, int magic) throws IOException {
        int found;
        try {
            found = in.readInt();
        } catch (EOFException e) {
            throw new IOException(name + ": not an IDX file: shorter than its 4-byte magic number");
        }
        if (found != magic) {
            throw new IOException(String.format("%s: wrong IDX magic number 0x%08x, expected 0x%08x (%s)", name, found, magic,
                    magic == Idx.IMAGES ? "images: unsigned bytes, 3 dimensions" : "labels: unsigned bytes, 1 dimension"));
        }
        int[] dims = new int[magic & 0xff];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) throw new IOException(name + ": negative size " + dims[i] + " in dimension " + i + " " + Arrays.toString(dims));
        }
        return dims;
    }
}
