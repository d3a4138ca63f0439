package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/**
 * The records Spark may hand to Kryo survive a round trip, with registration required (the
 * strictest cluster setting). The other Spark tests run on a Kryo context without registration.
 */
class KryoWireTest {
    private static SerializerInstance kryo() {
        SparkConf conf = new SparkConf(false)
                .set("spark.kryo.registrationRequired", "true")
                .set("spark.kryo.registrator", KryoWire.Registrator.class.getName());
        return new KryoSerializer(conf).newInstance();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(SerializerInstance s, T value) {
        var tag = ClassTag$.MODULE$.<T>apply(value.getClass());
        return s.deserialize(s.serialize(value, tag), tag);
    }

    @Test
    void samplesAndBlocksRoundTrip() {
        SerializerInstance s = kryo();
        Sample labeled = Sample.labeled(new float[] {1, 2.5f, -3}, 7);
        Sample regression = Sample.of(new float[] {0.5f}, new float[] {1, 2});
        assertEquals(labeled, roundTrip(s, labeled));
        assertEquals(regression, roundTrip(s, regression));

        Block b = Block.pack(3, List.of(labeled, Sample.labeled(new float[] {4, 5, 6}, 1)).iterator());
        Block back = roundTrip(s, b);
        assertEquals(3, back.partition());
        assertEquals(2, back.rows());
        assertEquals(3, back.xWidth());
        assertArrayEquals(b.x(), back.x());
        assertArrayEquals(b.y(), back.y());
        assertEquals(true, back.classLabels());
    }

    @Test
    void localSgdRoundInputRoundTrips() {
        var flat = OptimizerStateLayout.flatten(Map.of("0.momentum", Tensor.of(new float[] {1, 2, 3}, 3)));
        var input = new Tasks.RoundInput(new float[] {0.25f, -1}, flat, 0.01);
        var back = roundTrip(kryo(), input);
        assertArrayEquals(input.state(), back.state());
        assertArrayEquals(flat.values(), back.optimizer().values());
        assertEquals(0.01, back.lr());
    }
}
