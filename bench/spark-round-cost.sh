#!/usr/bin/env bash
# The cost of a backprop-spark round on a real standalone cluster (scripts/spark-cluster.sh: a
# Master and two 1-core Workers on 127.0.0.1, as ClusterIT starts), printed as a Markdown table
# for docs/SPARK.md. Each row is one spark-submit of org.backprop.spark.examples.RoundCost on
# the Fashion-MNIST MLP (784-256-128-10) with random data, the load average beside it; each setting
# a job per round (before) and one barrier stage per epoch (after, SparkTrainConfig.barrier), back to back:
#   - synchronous, global batch 1,024, 2 executors;
#   - local SGD (4 local steps, batch 1,024, 8 rounds) on 1 and on 2 executors, for the scaling efficiency
#     samples/s(2) / (2 x samples/s(1)); barrier rows report epoch 2 (as before) and, in the last two rows,
#     epoch WARM (default 5: after 4 epochs of JIT warm-up; on 2 cores the executors' compilers share the
#     cores with the two computing tasks, and 32 steps an epoch leave them compiling into epoch 5).
# Run from the repository root after `./mvnw -o -pl backprop-spark -am package -DskipTests` (or
# verify); ROUNDS (default 30) sets the rounds per row. Needs about 8 minutes on a quiet machine.
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
work="$(mktemp -d)"
trap 'scripts/spark-cluster.sh stop "$work" || true; rm -rf "$work"' EXIT
scripts/spark-cluster.sh start "$work" "$cp" > /dev/null

row() { # LABEL ARGS...: one submit, one table row
  local label="$1"; shift
  local before after line
  before="$(cut -d' ' -f1 /proc/loadavg)"
  line="$(scripts/spark-cluster.sh submit "$work" "$jar" org.backprop.spark.examples.RoundCost rounds="$rounds" "$@" \
    2>> "$work/submit.log" | grep '^ROW|' || true)"
  after="$(cut -d' ' -f1 /proc/loadavg)"
  if [ -z "$line" ]; then
    echo "| $label | failed: see the end of the log below | | | | | | | | | | | | $before–$after |"
    tail -n 5 "$work/submit.log" >&2
    return
  fi
  IFS='|' read -r _ parts k wall bc sched load compute driver ratio sps ex wt st <<< "$line"
  echo "| $label | $parts | $wall | $bc | $sched | $load | $compute | $driver | $ratio | $sps | $ex | $wt | $st | $before–$after |"
}

echo "| run | executors | wall ms/round | broadcast | scheduling + transfer + reduce | load | compute | driver step | overhead ÷ compute | samples/s | barrier: exchange | of which waiting | replica step | load average |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
row "synchronous, a job per round" batch=1024 partitions=2
row "synchronous, barrier stage" batch=1024 partitions=2 barrier=1
row "local SGD k=4, 1 executor, a job per round" batch=1024 partitions=1 localSteps=4 rounds=8
row "local SGD k=4, 2 executors, a job per round" batch=1024 partitions=2 localSteps=4 rounds=8
row "local SGD k=4, 1 executor, barrier stage" batch=1024 partitions=1 localSteps=4 rounds=8 barrier=1
row "local SGD k=4, 2 executors, barrier stage" batch=1024 partitions=2 localSteps=4 rounds=8 barrier=1
row "local SGD k=4, 1 executor, barrier stage, epoch $warm" batch=1024 partitions=1 localSteps=4 rounds=8 barrier=1 epochs="$warm"
row "local SGD k=4, 2 executors, barrier stage, epoch $warm" batch=1024 partitions=2 localSteps=4 rounds=8 barrier=1 epochs="$warm"
