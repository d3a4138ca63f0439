package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Module;
import org.backprop.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training data that the executors read from files: Parquet and CSV through a Dataset<Row>. */
class DataFrameInputTest {
    private static SparkSession spark() {
        JavaSparkContext sc = SharedSpark.context();
        return SparkSession.builder().config(sc.getConf()).getOrCreate(); // reuses the running context
    }

    @Test
    void parquetWithAnArrayColumnGivesTheSamplesBackAndTrains(@TempDir Path dir) {
        SparkSession spark = spark();
        List<Sample> samples = Fixtures.blobs(300, 6, 3, 0.6, false, 11);
        List<Row> rows = new ArrayList<>();
        for (Sample s : samples) {
            Float[] x = new Float[s.features().length];
            for (int i = 0; i < x.length; i++) x[i] = s.features()[i];
            rows.add(RowFactory.create(x, (int) s.target()[0]));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType), false)
                .add("label", DataTypes.IntegerType, false);
        String uri = dir.resolve("blobs.parquet").toUri().toString();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(uri);

        JavaRDD<Sample> read = SparkData.fromRows(spark.read().parquet(uri), List.of("features"), "label", true);
        assertEquals(new HashSet<>(samples), new HashSet<>(read.collect()));

        SerializableSupplier<Module> factory = Fixtures.mlp(6, 16, 3, 1);
        Module model = factory.get();
        new SparkTrainer(SharedSpark.context(), model, factory, new CrossEntropyLoss(), new Adam(model.parameters(), 0.02))
                .fit(read, SparkTrainConfig.defaults().epochs(4).globalBatchSize(30));
        assertTrue(Fixtures.accuracy(model, samples) > 0.9, "accuracy after training from Parquet");
    }

    @Test
    void csvWithNumericColumnsAndErrorsNameTheColumn(@TempDir Path dir) throws Exception {
        SparkSession spark = spark();
        Path csv = dir.resolve("data.csv");
        Files.writeString(csv, "a,b,c,label\n1.5,2,-3,0\n4,5.25,6,2\n7,8,9,1\n");
        var df = spark.read().option("header", true).option("inferSchema", true).csv(csv.toUri().toString());
        List<Sample> got = SparkData.fromRows(df, List.of("a", "b", "c"), "label", true).collect();
        assertEquals(List.of(Sample.labeled(new float[] {1.5f, 2, -3}, 0), Sample.labeled(new float[] {4, 5.25f, 6}, 2),
                Sample.labeled(new float[] {7, 8, 9}, 1)), got);
        List<Sample> regression = SparkData.fromRows(df, List.of("a"), "b", false).collect();
        assertEquals(Sample.of(new float[] {1.5f}, new float[] {2}), regression.getFirst());

        var missing = assertThrows(IllegalArgumentException.class, () -> SparkData.fromRows(df, List.of("a", "z"), "label", true));
        assertTrue(missing.getMessage().contains("no column 'z'"), missing.getMessage());
        var notLabel = assertThrows(Exception.class, () -> SparkData.fromRows(df, List.of("a"), "b", true).collect());
        assertTrue(String.valueOf(notLabel.getMessage()).contains("column 'b' holds [5.25]"), notLabel.getMessage());
    }
}
