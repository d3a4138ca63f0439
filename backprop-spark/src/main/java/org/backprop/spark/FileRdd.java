package org.backprop.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;

/**
 * Samples that the executors read from files themselves, through Hadoop's FileSystem (so
 * {@code file:}, {@code hdfs:}, {@code s3a:} URIs alike): each partition is a {@link Slice} that
 * names what to read, never the rows, so tasks stay small and a lost executor's partition is
 * read again from the files. The driver's Hadoop settings (credentials, {@code spark.hadoop.*})
 * travel with the RDD.
 */
final class FileRdd extends RDD<Sample> {
    /** What one partition reads: its rows, from the files it names. */
    interface Slice extends Serializable {
        List<Sample> read(Configuration conf) throws IOException;
    }

    record Part(int index, Slice slice) implements Partition {}

    private final byte[] conf;
    private final Slice[] slices;

    FileRdd(SparkContext sc, List<? extends Slice> slices) {
        super(sc, scala.collection.immutable.Seq$.MODULE$.<org.apache.spark.Dependency<?>>empty(),
                scala.reflect.ClassTag$.MODULE$.apply(Sample.class));
        this.slices = slices.toArray(Slice[]::new);
        this.conf = write(sc.hadoopConfiguration());
    }

    @Override
    public scala.collection.Iterator<Sample> compute(Partition split, TaskContext context) {
        try {
            return scala.jdk.javaapi.CollectionConverters.asScala(((Part) split).slice().read(read(conf)).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] out = new Partition[slices.length];
        for (int i = 0; i < out.length; i++) out[i] = new Part(i, slices[i]);
        return out;
    }

    private static byte[] write(Configuration c) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            c.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Configuration read(byte[] b) throws IOException {
        Configuration c = new Configuration(false);
        c.readFields(new DataInputStream(new ByteArrayInputStream(b)));
        return c;
    }
}
