package org.backprop.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

/**
 * How the module's records travel when a cluster sets
 * {@code spark.serializer=org.apache.spark.serializer.KryoSerializer}. Spark's Kryo (4.x) cannot
 * serialise Java records with its default field serializer ("can't get field offset on a record
 * class"), so each record Spark may hand to Kryo names its serializer with Kryo's
 * {@code @DefaultSerializer}: nothing to configure. The hot ones ({@link Sample}, {@link Block})
 * write their arrays directly; the once-per-round ones go through Java serialisation.
 *
 * <p>Clusters that also set {@code spark.kryo.registrationRequired=true} add
 * {@code spark.kryo.registrator=org.backprop.spark.KryoWire$Registrator}.
 */
public final class KryoWire {
    private KryoWire() {}

    /** Registers the module's wire classes and the arrays it sends, for {@code registrationRequired}. */
    public static final class Registrator implements org.apache.spark.serializer.KryoRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            kryo.register(Sample.class, new SampleSerializer());
            kryo.register(Block.class, new BlockSerializer());
            kryo.register(Tasks.RoundInput.class, new JavaSerializer());
            kryo.register(OptimizerStateLayout.Flat.class, new JavaSerializer());
            kryo.register(float[].class);
            kryo.register(double[].class);
        }
    }

    /** {@link Sample}: widths, values, and whether the target is a class label. */
    public static final class SampleSerializer extends Serializer<Sample> {
        @Override
        public void write(Kryo kryo, Output out, Sample s) {
            writeFloats(out, s.features());
            writeFloats(out, s.target());
            out.writeBoolean(s.classLabel());
        }

        @Override
        public Sample read(Kryo kryo, Input in, Class<Sample> type) {
            float[] x = readFloats(in);
            float[] y = readFloats(in);
            return new Sample(x, y, in.readBoolean());
        }
    }

    /** {@link Block}: its shape, then the two arrays. */
    public static final class BlockSerializer extends Serializer<Block> {
        @Override
        public void write(Kryo kryo, Output out, Block b) {
            out.writeInt(b.partition());
            out.writeInt(b.rows());
            out.writeInt(b.xWidth());
            out.writeInt(b.yWidth());
            writeFloats(out, b.x());
            writeFloats(out, b.y());
            out.writeBoolean(b.classLabels());
        }

        @Override
        public Block read(Kryo kryo, Input in, Class<Block> type) {
            int partition = in.readInt(), rows = in.readInt(), xw = in.readInt(), yw = in.readInt();
            return new Block(partition, rows, xw, yw, readFloats(in), readFloats(in), in.readBoolean());
        }
    }

    private static void writeFloats(Output out, float[] a) {
        out.writeInt(a.length);
        out.writeFloats(a);
    }

    private static float[] readFloats(Input in) {
        return in.readFloats(in.readInt());
    }
}
