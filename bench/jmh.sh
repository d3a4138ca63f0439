#!/usr/bin/env bash
# Runs the JMH benchmarks of backprop-bench: sgemm on the MLP shapes (Java and, where OpenBLAS is
# installed, native), the warm MLP training step with the GC profiler (allocation per step) and
# the serving throughput of one shared InferenceModel on 1 and 2 request threads.
# Usage: bench/jmh.sh [JMH options...]   e.g. bench/jmh.sh -f 1 -wi 1 -i 1 -w 1s -r 1s  (a smoke run)
# Extra arguments replace the default benchmark selection when they name one (GemmBench, MlpStepBench).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl backprop-bench -am package -DskipTests
JAVA_HOME=$(sh .mvn/find-jdk.sh)
CP="backprop-bench/target/classes:backprop-bench/target/lib/*"
ENGINES=java
if ldconfig -p 2>/dev/null | grep libopenblas > /dev/null; then ENGINES=java,native; fi  # not grep -q: SIGPIPE under pipefail
run() { "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$@"; }
run GemmBench -p engine="$ENGINES" "$@"
run MlpStepBench -prof gc "$@"
# 1- and 2-thread serving throughput and their ratio, one JSON line per model
"$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -cp "$CP" org.backprop.bench.InferenceBench "$@"
