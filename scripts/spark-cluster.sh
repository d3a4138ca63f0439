#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 from Maven's jars: one Master and two Workers as
# separate JVMs, a minimal SPARK_HOME (a jars/ folder of links and a RELEASE file, which is all
# the Worker's launcher needs to build executor command lines), no Spark distribution.
#
#   scripts/spark-cluster.sh start  WORK CLASSPATH_FILE   Master + 2 Workers (1 core, 768 MB each); prints the master URL
#   scripts/spark-cluster.sh submit WORK APP_JAR CLASS [ARGS...]   spark-submit (client mode) to that cluster
#   scripts/spark-cluster.sh executors WORK               PIDs of the executor JVMs
#   scripts/spark-cluster.sh kill-executor WORK           kill -9 one executor JVM; prints its PID
#   scripts/spark-cluster.sh stop WORK                    stops every JVM this script started (and their executors)
#
# CLASSPATH_FILE holds Spark's jars, ':'-separated (the no-distribution recipe in docs/SPARK.md writes
# backprop-spark/target/spark.cp). JAVA: a JDK 25.0.3+ (default: the one ./mvnw uses). Every wait is
# bounded (SPARK_CLUSTER_WAIT seconds, default 120, per wait); stop kills by the PIDs recorded in WORK/pids only.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
JAVA="${JAVA:-$(sh "$here/.mvn/find-jdk.sh")/bin/java}"
FLAGS="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
cmd="${1:?usage: spark-cluster.sh start|submit|executors|kill-executor|stop WORK ...}"
work="${2:?WORK folder required}"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1

# wait_for FILE PATTERN COUNT SECONDS: until FILE has COUNT lines matching PATTERN
wait_for() {
  for _ in $(seq 1 $(( $4 * 4 ))); do
    [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
    sleep 0.25
  done
  echo "spark-cluster: timed out after $4 s waiting for '$2' in $1" >&2
  tail -n 20 "$1" >&2 || true
  return 1
}

descendants() { # all descendant PIDs of $1
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do echo "$c"; descendants "$c"; done
}

executors() {
  local p
  [ -f "$work/pids" ] || return 0
  for p in $(cat "$work/pids"); do
    for c in $(descendants "$p"); do
      if tr '\0' ' ' < "/proc/$c/cmdline" 2>/dev/null | grep -q CoarseGrainedExecutorBackend; then echo "$c"; fi
    done
  done
}

case "$cmd" in
  start)
    cpfile="${3:?CLASSPATH_FILE required}"
    mkdir -p "$work/spark-home/jars" "$work/spark-home/conf" "$work/logs"
    : > "$work/pids"
    echo "Spark 4.2.0 (jars from Maven)" > "$work/spark-home/RELEASE"
    tr ':' '\n' < "$cpfile" | while read -r jar; do
      case "$jar" in *.jar) ln -sf "$jar" "$work/spark-home/jars/$(basename "$jar")" ;; esac
    done
    # the launcher reads the Scala version from the environment when SPARK_HOME is not a build tree
    export SPARK_SCALA_VERSION=2.13 SPARK_HOME="$work/spark-home" JAVA_HOME="$(dirname "$(dirname "$JAVA")")"
    cp="$SPARK_HOME/jars/*"
    # small daemons: C1 only, serial GC; no REST submission server (it would take the fixed port 6066)
    daemon="-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dspark.master.rest.enabled=false"
    "$JAVA" $FLAGS $daemon -cp "$cp" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port 0 --webui-port 0 > "$work/logs/master.log" 2>&1 &
    echo $! >> "$work/pids"
    wait_for "$work/logs/master.log" "Starting Spark master at" 1 "${SPARK_CLUSTER_WAIT:-120}"
    url=$(sed -n 's/.*Starting Spark master at \(spark:\/\/[0-9.:]*\).*/\1/p' "$work/logs/master.log" | head -n 1)
    echo "$url" > "$work/master-url"
    for w in 1 2; do
      mkdir -p "$work/worker$w"
      "$JAVA" $FLAGS $daemon -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
        --cores 1 --memory 768m --work-dir "$work/worker$w" "$url" > "$work/logs/worker$w.log" 2>&1 &
      echo $! >> "$work/pids"
    done
    wait_for "$work/logs/master.log" "Registering worker" 2 "${SPARK_CLUSTER_WAIT:-120}"
    echo "$url"
    ;;
  submit)
    app="${3:?APP_JAR required}"; class="${4:?CLASS required}"; shift 4
    url="$(cat "$work/master-url")"
    exec "$JAVA" $FLAGS -Xmx768m -cp "$work/spark-home/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "$url" --deploy-mode client --class "$class" \
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false \
      --conf "spark.driver.extraJavaOptions=$FLAGS" --conf "spark.executor.extraJavaOptions=$FLAGS" \
      --conf spark.executor.cores=1 --conf spark.executor.memory=512m --conf spark.cores.max=2 \
      "$app" "$@"
    ;;
  executors)
    executors
    ;;
  kill-executor)
    victim="$(executors | sed -n 1p)" # sed reads everything: no SIGPIPE under pipefail
    [ -n "$victim" ] || { echo "spark-cluster: no executor JVM is running" >&2; exit 1; }
    kill -9 "$victim"
    echo "$victim"
    ;;
  stop)
    [ -f "$work/pids" ] || exit 0
    all="$(executors) $(cat "$work/pids")"
    for p in $all; do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 1 40); do
      alive=""
      for p in $all; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.25
    done
    for p in $all; do kill -9 "$p" 2>/dev/null || true; done
    rm -f "$work/pids"
    ;;
  *)
    echo "spark-cluster: unknown command $cmd" >&2; exit 2 ;;
esac
