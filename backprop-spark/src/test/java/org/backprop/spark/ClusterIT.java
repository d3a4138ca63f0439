package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on 127.0.0.1 (scripts/spark-cluster.sh: a Master and two
 * Workers, each its own JVM, executors launched by the Workers): submits ClusterCheck, which
 * trains from a Parquet file through a {@code Dataset<Row>}, kills one executor JVM by its PID
 * after the first epoch, and checks that the job recovers (Spark reruns the lost tasks, reads the
 * lost partition's rows again, the Worker starts a new executor) and reaches the accuracy. Every
 * JVM the script started is stopped in {@code finally}. Then the same training in barrier stages
 * ({@link SparkTrainConfig#barrier}), with an executor killed again mid-run. Runs after {@code package} (it needs the
 * -all jar), in {@code ./mvnw verify}.
 */
class ClusterIT {
    // per phase (start, first epoch, the rest): a 2-core machine at load average 25 needed ~80 s, ~270 s
    // and ~60 s; a quiet one needs a fraction
    private static final long WAIT_SECONDS = 600;
    private static final int BARRIER_EPOCHS = 30;

    @Test
    void trainsOnAStandaloneClusterAndRecoversFromALostExecutor(@TempDir Path work) throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isDirectory(Path.of("/proc/self")),
                "the cluster script finds executor JVMs through /proc (Linux only)");
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "the cluster script needs bash");
        Path module = Path.of("").toAbsolutePath();
        Path script = module.getParent().resolve("scripts/spark-cluster.sh");
        Path cp = module.resolve("target/spark.cp");
        Path jar;
        try (var files = Files.list(module.resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-all.jar")).findFirst().orElse(null);
        }
        assumeTrue(Files.exists(script) && Files.exists(cp) && jar != null,
                "needs scripts/spark-cluster.sh, target/spark.cp and the -all jar (run through ./mvnw verify)");

        Process driver = null;
        try {
            String url = run(work, WAIT_SECONDS, script.toString(), "start", work.toString(), cp.toString()).strip();
            assertTrue(url.startsWith("spark://127.0.0.1:"), url);

            Path out = work.resolve("driver.out");
            driver = new ProcessBuilder(script.toString(), "submit", work.toString(), jar.toString(),
                    "org.backprop.spark.examples.ClusterCheck", "data=" + work.resolve("blobs.parquet").toUri(), "rows=800", "batch=100")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!Files.readString(out).contains("epoch 1:") && driver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(Files.readString(out).contains("epoch 1:"), "no epoch finished:\n" + tail(out));

            String victim = run(work, 30, script.toString(), "kill-executor", work.toString()).strip();
            assertTrue(victim.matches("\\d+"), "killed executor PID: " + victim);

            assertTrue(driver.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the job did not finish:\n" + tail(out));
            String log = Files.readString(out);
            assertEquals(0, driver.exitValue(), "the job failed after executor " + victim + " was killed:\n" + tail(out));
            Matcher m = Pattern.compile("accuracy=([0-9.]+)").matcher(log);
            assertTrue(m.find(), log);
            assertTrue(Double.parseDouble(m.group(1)) >= 0.9, "accuracy " + m.group(1));
            assertTrue(log.contains("epoch 3:"), log);
            // spark.executor.cores=1 on a machine with more cores: one kernel thread per executor
            assertTrue(log.contains("executor kernel threads: [1]") || Runtime.getRuntime().availableProcessors() == 1, tail(out));

            // the same training in one barrier stage for the run (8 rounds an epoch), enough epochs that the executor
            // killed after the first lands inside the stage: Spark aborts it, the driver keeps the epochs whose results
            // it received, and fit trains the rest a job per round from there; the run finishes with the accuracy
            Path barrierOut = work.resolve("driver-barrier.out");
            driver = new ProcessBuilder(script.toString(), "submit", work.toString(), jar.toString(),
                    "org.backprop.spark.examples.ClusterCheck", "data=" + work.resolve("blobs-barrier.parquet").toUri(), "rows=800",
                    "batch=100", "epochs=" + BARRIER_EPOCHS, "barrier=1")
                    .redirectErrorStream(true).redirectOutput(barrierOut.toFile()).start();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!Files.readString(barrierOut).contains("epoch 1:") && driver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(barrierOut).contains("epoch 1:"), "no barrier epoch finished:\n" + tail(barrierOut));
            String second = run(work, 30, script.toString(), "kill-executor", work.toString()).strip();
            assertTrue(second.matches("\\d+"), "killed executor PID: " + second);
            assertTrue(driver.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the barrier job did not finish:\n" + tail(barrierOut));
            String barrier = Files.readString(barrierOut);
            assertEquals(0, driver.exitValue(), "the barrier job failed after executor " + second + " was killed:\n" + tail(barrierOut));
            Matcher b = Pattern.compile("accuracy=([0-9.]+)").matcher(barrier);
            assertTrue(b.find() && Double.parseDouble(b.group(1)) >= 0.9, barrier);
            assertTrue(barrier.contains("epoch " + BARRIER_EPOCHS + ":"), barrier);
            Matcher jobs = Pattern.compile("spark jobs per round=([0-9.]+)").matcher(barrier);
            assertTrue(jobs.find() && Double.parseDouble(jobs.group(1)) < 1, "no epoch ran as a barrier stage:\n" + tail(barrierOut));
            // what became of the killed executor's stage (retried, or redone a job per round), for the build log
            System.out.println("ClusterIT, barrier run after killing executor " + second + ":\n" + barrier.lines()
                    .filter(l -> l.contains("barrier") || l.contains("Lost") || l.contains("esubmit") || l.contains("jobs per round"))
                    .limit(20).collect(java.util.stream.Collectors.joining("\n")));
        } finally {
            if (driver != null) driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            run(work, 60, script.toString(), "stop", work.toString());
        }
    }

    /** Runs a command, bounded; returns its standard output, failing with its output when it fails. */
    private static String run(Path work, long seconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "cmd", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(log.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("script-errors.log").toFile())).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out
                    + Files.readString(work.resolve("script-errors.log")));
        }
        return out;
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
