package org.backprop.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One real local[2] SparkContext for every test class in the JVM (start-up costs seconds),
 * stopped when the JVM exits. Only loopback is reachable on test machines, hence the addresses.
 * It serialises data with Kryo, as many clusters' spark-defaults.conf do: the stricter of Spark's
 * two serializers for this module's records (the cluster test covers Java serialisation).
 */
final class SharedSpark {
    private static JavaSparkContext sc;

    private SharedSpark() {}

    static synchronized JavaSparkContext context() {
        if (sc == null) {
            SparkConf conf = new SparkConf()
                    .setMaster("local[2]")
                    .setAppName("backprop-spark-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.task.maxDirectResultSize", "64m")
                    .set("spark.broadcast.compress", "false")
                    .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
            sc = new JavaSparkContext(conf);
            sc.setLogLevel("WARN");
            JavaSparkContext ctx = sc;
            Runtime.getRuntime().addShutdownHook(new Thread(ctx::stop, "stop-shared-spark"));
        }
        return sc;
    }
}
