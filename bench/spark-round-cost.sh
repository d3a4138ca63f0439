#!/usr/bin/env bash
# The cost of a backprop-spark round on a real standalone cluster (scripts/spark-cluster.sh: a
# Master and two 1-core Workers on 127.0.0.1, as ClusterIT starts), printed as a Markdown table
# for docs/SPARK.md. Each row is one spark-submit of org.backprop.spark.examples.RoundCost on
# the Fashion-MNIST MLP (784-256-128-10) with random data, the load average beside it; each setting
# a job per round against barrier stages, and for local SGD a barrier stage per epoch (as before,
# spark.backprop.epochsPerStage=1) against one stage for the whole run (now):
#   - synchronous, global batch 1,024, 2 executors;
#   - local SGD (4 local steps, batch 1,024, 8 rounds an epoch) on 1 and on 2 executors, for the scaling
#     efficiency samples/s(2) / (2 x samples/s(1)); rows report epoch 2, epoch WARM (default 5: after 4 epochs of
#     JIT warm-up; on 2 cores the executors' compilers share the cores with the two computing tasks) and epoch LATE
#     (default 10, from runs of their own: the executors' compilers have nearly stopped; 0 leaves these rows out).
# EXECUTOR_JAVA_OPTIONS (default empty: the JVM's default collector, G1) is added to every row's executors, e.g.
# -XX:+UseParallelGC for an A/B of the collector (docs/SPARK.md: it cut the 2-executor GC CPU but ran the 1-executor
# rows, whose one 512 MB executor holds the whole data set, out of heap).
# "samples/s" is the epoch's rounds' wall time on the driver; "end to end" is the last epoch from the driver's
# epoch end to epoch end (stage launch, transfers, listeners included): the efficiency lines at the end use it.
# Run from the repository root after `./mvnw -o -pl backprop-spark -am package -DskipTests` (or
# verify); ROUNDS (default 30) sets the synchronous rows' rounds. Needs about 6 minutes on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cp="backprop-spark/target/spark.cp"
jar="$(ls backprop-spark/target/backprop-spark-*-all.jar 2>/dev/null | head -n 1 || true)"
if [ ! -f "$cp" ] || [ -z "$jar" ]; then
  echo "spark-round-cost: build first: ./mvnw -o -pl backprop-spark -am package -DskipTests" >&2
  exit 1
fi
rounds="${ROUNDS:-30}"
warm="${WARM:-5}"
late="${LATE:-10}"
jvm="${EXECUTOR_JAVA_OPTIONS:-}"
jvmarg=(); [ -n "$jvm" ] && jvmarg=("executorJavaOptions=$jvm")
work="$(mktemp -d)"
trap 'scripts/spark-cluster.sh stop "$work" || true; rm -rf "$work"' EXIT
scripts/spark-cluster.sh start "$work" "$cp" > /dev/null

row() { # LABEL KEY ARGS...: one submit, one table row; KEY names its end-to-end figure for the efficiency lines
  local label="$1" key="$2"; shift 2
  local before after line
  before="$(cut -d' ' -f1 /proc/loadavg)"
  line="$(scripts/spark-cluster.sh submit "$work" "$jar" org.backprop.spark.examples.RoundCost rounds="$rounds" ${jvmarg[@]+"${jvmarg[@]}"} "$@" \
    2>> "$work/submit.log" | grep '^ROW|' || true)"
  after="$(cut -d' ' -f1 /proc/loadavg)"
  if [ -z "$line" ]; then
    echo "| $label | failed: see the end of the log below | | | | | | | | | | | | | $before–$after |"
    tail -n 5 "$work/submit.log" >&2
    return
  fi
  IFS='|' read -r _ parts k wall bc sched load compute driver ratio sps ex wt st e2e <<< "$line"
  echo "$e2e" > "$work/e2e-$key"
  echo "| $label | $parts | $wall | $bc | $sched | $load | $compute | $driver | $ratio | $sps | $e2e | $ex | $wt | $st | $before–$after |"
}
e2e() { cat "$work/e2e-$1" 2>/dev/null || echo nan; }

echo "| run | executors | wall ms/round | broadcast | scheduling + transfer + reduce | load | compute | driver step | overhead ÷ compute | samples/s | samples/s, last epoch end to end | barrier: exchange | of which waiting | replica step | load average |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
lsgd="batch=1024 localSteps=4 rounds=8 barrier=1"
row "synchronous, a job per round" s0 batch=1024 partitions=2
row "synchronous, one barrier stage, epoch 2" s1 batch=1024 partitions=2 barrier=1
row "local SGD k=4, 1 executor, a stage per epoch, epoch $warm" p1 $lsgd partitions=1 epochs="$warm" epochsPerStage=1
row "local SGD k=4, 2 executors, a stage per epoch, epoch $warm" p2 $lsgd partitions=2 epochs="$warm" epochsPerStage=1
row "local SGD k=4, 1 executor, one stage, epoch 2" o1 $lsgd partitions=1 epochs=2
row "local SGD k=4, 2 executors, one stage, epoch 2" o2 $lsgd partitions=2 epochs=2
row "local SGD k=4, 1 executor, one stage, epoch $warm" w1 $lsgd partitions=1 epochs="$warm"
row "local SGD k=4, 2 executors, one stage, epoch $warm" w2 $lsgd partitions=2 epochs="$warm"
if [ "$late" -gt 0 ]; then
  row "local SGD k=4, 1 executor, one stage, epoch $late" l1 $lsgd partitions=1 epochs="$late"
  row "local SGD k=4, 2 executors, one stage, epoch $late" l2 $lsgd partitions=2 epochs="$late"
fi
eff() { awk -v a="$(e2e "$2")" -v b="$(e2e "$1")" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f (%s / (2 x %s))", a / (2 * b), a, b; else print "n/a" }'; }
echo
echo "local SGD scaling efficiency, last epoch end to end: one stage, epoch $warm: $(eff w1 w2); epoch 2: $(eff o1 o2); a stage per epoch, epoch $warm: $(eff p1 p2)"
[ "$late" -gt 0 ] && echo "local SGD scaling efficiency, later (separate runs): one stage, epoch $late: $(eff l1 l2)"
exit 0
