#!/usr/bin/env bash
# Runs the PyTorch peer benchmark (../shared/bench/torch_fashion.py, --threads 1 and 2) and then
# Backprop's FashionBench on the same workloads, one after the other (never at the same time),
# and writes docs/BENCHMARKS.md with the ratios against PyTorch's faster setting.
#
# Usage: bench/side-by-side.sh [--epochs 3] [--data DIR] [--iters 2000] [--seq-data DIR] [--seq-only]
#                              [--fsdd [--fsdd-epochs 30] [--fsdd-data DIR]]
# The character LSTM (charlm_lstm of ../shared/bench/torch_seq.py, --iters iterations) runs after the
# Fashion-MNIST workloads, on both sides, into the same JSON-lines files. Then the GPT workloads:
# torch_seq.py (charlm_gpt, gpt_steps; --threads 1 and 2) against Backprop's SeqBench, in the same way.
# --fsdd runs only the spoken-digit workloads (fsdd_cnn, fsdd_gru): ../shared/bench/torch_fsdd.py
# (--threads 1 and 2, --fsdd-epochs epochs, default 30 as the peer) and then Backprop's FsddBench with
# the same networks and settings, one after the other, and prints their table (docs/BENCHMARKS.md is
# left as it is: paste the table under its marker line).
# Environment: PEER (path of torch_fashion.py), PYTHON (default /usr/bin/python3),
#              THREADS (Backprop's kernel threads, default: the number of CPUs),
#              SEQ_HEAP (heap flags of charlm_lstm), GPT_HEAP (of charlm_gpt and gpt_steps),
#              FSDD_HEAP (of FsddBench); by default the flags ./backprop gives the same training run
#              (.mvn/jvm-flags.sh, the one place they are set).
# A step that fails stops the script with exit 1 and the tail of its log on stderr.
# Raw JSON lines and logs go to runs/side-by-side-<time>/ (not committed). Unattended: no prompts.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

EPOCHS=3
DATA=/usr/share/datasets/fashion-mnist
ITERS=2000
SEQ_DATA=
SEQ_ONLY=
FSDD=
FSDD_EPOCHS=30
FSDD_DATA=
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) EPOCHS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --iters) ITERS=$2; shift 2 ;;
    --seq-data) SEQ_DATA=$2; shift 2 ;;
    --seq-only) SEQ_ONLY=1; shift ;;
    --fsdd) FSDD=1; shift ;;
    --fsdd-epochs) FSDD_EPOCHS=$2; shift 2 ;;
    --fsdd-data) FSDD_DATA=$2; shift 2 ;;
    *) echo "usage: bench/side-by-side.sh [--epochs N] [--data DIR] [--iters N] [--seq-data DIR] [--seq-only] [--fsdd [--fsdd-epochs N] [--fsdd-data DIR]]" >&2; exit 2 ;;
  esac
done
PEER=${PEER:-$REPO/../shared/bench/torch_fashion.py}
PEER_SEQ=${PEER_SEQ:-$(dirname "$PEER")/torch_seq.py}
SEQ_DATA=${SEQ_DATA:-$(dirname "$PEER_SEQ")/../data}
PEER_FSDD=${PEER_FSDD:-$(dirname "$PEER")/torch_fsdd.py}
FSDD_DATA=${FSDD_DATA:-$(dirname "$PEER_FSDD")/../data}
PYTHON=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-$(nproc)}
[ -f "$PEER" ] || { echo "side-by-side: peer benchmark not found at $PEER (set PEER=...)" >&2; exit 1; }

OUT=runs/side-by-side-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "side-by-side: results in $OUT" >&2

./mvnw -q -B -pl backprop-bench -am package -DskipTests
JAVA_HOME=$(sh .mvn/find-jdk.sh)
CP="backprop-bench/target/classes:backprop-bench/target/lib/*"
# The heap is capped at a few times the data set: left to
# itself the JVM grows its heap to gigabytes although the live data stays small, and the peak RSS
# is compared with PyTorch's. Within the cap the young generation is fixed (below): sized by
# itself, it grew until the old one (the data set) had no room to take promotions and every
# collection was a full one (LeNet: 164 full collections, 1.2 s of pauses in 3 epochs; with
# -Xmn128m 214 young ones, 0.3 s). -Xmn192m brought the full collections back.
# Since the bench keeps the images as bytes (55 MB, bench.Pixels) and the loader streams them into
# their array, the cap is 192 MB with a 48 MB young generation (.mvn/jvm-flags.sh has the measurements).
# The flags come from .mvn/jvm-flags.sh, which ./backprop reads too: each workload runs with the flags
# the launcher gives `backprop train` on the same data and model.
. .mvn/jvm-flags.sh
read -r -a JVM_FLAGS <<< "$(backprop_jvm_flags "" train --data fashion-mnist)"
JAVA=("$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}")
# The text workloads hold no data set (the text is 1 MB), so their heap can be much smaller; GPT_HEAP
# sets it. Since GptTraining.step draws its activations from a StepArena, a warm GPT step at batch 12
# allocates little and the young generation no longer has to hold a whole step's garbage.
# Busy machine, 150 charlm_gpt iterations, 2 threads, user+sys CPU (±1 s between runs) and peak RSS:
# before the arena -Xmx448m -Xmn128m 31.3 s, 524 MB (245 collections); with it -Xmx448m -Xmn128m
# 30.3 s, 290 MB; -Xmx256m -Xmn96m 29.8 s, 260 MB; -Xmx192m -Xmn64m 30.3 s, 227 MB (no full
# collection); -Xmx128m -Xmn48m 30.4 s, 202 MB (63 full); -Xmx96m -Xmn32m 32.2 s, 172 MB (233 full).
# The cap bounds the heap of a long run (the old generation grows until its first full collection).
# charlm_lstm (no arena in its loop) keeps 448m/128m: at 192m/64m it made 34 full collections in 150
# iterations (peak RSS 397 -> 277 MB, CPU within the busy machine's noise).
read -r -a SEQ_HEAP_FLAGS <<< "${SEQ_HEAP:-$(backprop_jvm_heap train --data shakespeare --model lstm)}"
read -r -a GPT_HEAP_FLAGS <<< "${GPT_HEAP:-$(backprop_jvm_heap train --data shakespeare --model gpt)}"
read -r -a BASE_FLAGS <<< "$BACKPROP_JVM_BASE"
SEQ_JAVA=("$JAVA_HOME/bin/java" "${BASE_FLAGS[@]}" "${SEQ_HEAP_FLAGS[@]}")
GPT_JAVA=("$JAVA_HOME/bin/java" "${BASE_FLAGS[@]}" "${GPT_HEAP_FLAGS[@]}")

# run LOG CMD...: runs CMD (its stdout redirected by the caller) with stderr into LOG; if it fails,
# says which step failed and shows the end of its log, then exits 1 (under set -e a failure used
# to end the script silently, its reason only in the log).
run() {
  local log=$1 rc=0
  shift
  "$@" 2>> "$log" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "side-by-side: FAILED (exit $rc): $*" >&2
    echo "side-by-side: last lines of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
}

seq_bench() {
  [ -f "$PEER_SEQ" ] || { echo "side-by-side: $PEER_SEQ not found, GPT workloads skipped" >&2; return 0; }
  for t in 1 2; do
    echo "side-by-side: PyTorch GPT workloads --threads $t" >&2
    "$PYTHON" "$PEER_SEQ" --threads "$t" --iters "$ITERS" --workloads charlm_gpt,gpt_steps --data "$SEQ_DATA" \
      > "$OUT/seq-torch-$t.jsonl" 2> "$OUT/seq-torch-$t.log"
  done
  echo "side-by-side: Backprop GPT workloads --threads $THREADS" >&2
  "${GPT_JAVA[@]}" -cp "$CP" org.backprop.bench.SeqBench --threads "$THREADS" --iters "$ITERS" --workloads charlm_gpt,gpt_steps \
    > "$OUT/seq-backprop.jsonl" 2> "$OUT/seq-backprop.log"
  # No peer rows: generation throughput with the key/value cache on one thread (issue 12 asks for
  # 2,000 tokens/s), and where a charlm_gpt training step's time goes (JFR samples, 100 steps).
  echo "side-by-side: Backprop gpt_generate (1 thread) and the GPT step profile" >&2
  "${JAVA[@]}" -cp "$CP" org.backprop.bench.SeqBench --threads 1 --workloads gpt_generate \
    > "$OUT/gen-backprop.jsonl" 2>> "$OUT/seq-backprop.log"
  "${JAVA[@]}" -cp "$CP" org.backprop.bench.SeqBench --threads "$THREADS" --profile 100 \
    > "$OUT/profile-backprop.jsonl" 2>> "$OUT/seq-backprop.log"
}
# The spoken-digit workloads need more heap than the Fashion-MNIST cap: a CNN batch of 64 log-mel
# images holds several 16 MB activations (conv 1: 64·16·40·100 floats) and their gradients at once,
# and under -Xmx256m -Xmn96m fsdd_cnn ran out of heap in its first backward pass (exit 1).
read -r -a FSDD_HEAP_FLAGS <<< "${FSDD_HEAP:-$(backprop_jvm_heap train --data fsdd)}"
FSDD_JVM_FLAGS=("${BASE_FLAGS[@]}" "${FSDD_HEAP_FLAGS[@]}")
fsdd_bench() {
  [ -f "$PEER_FSDD" ] || { echo "side-by-side: $PEER_FSDD not found (set PEER_FSDD=...)" >&2; exit 1; }
  for t in 1 2; do
    echo "side-by-side: PyTorch fsdd_cnn, fsdd_gru --threads $t" >&2
    : > "$OUT/fsdd-torch-$t.log"
    run "$OUT/fsdd-torch-$t.log" "$PYTHON" "$PEER_FSDD" --threads "$t" --epochs "$FSDD_EPOCHS" --data "$FSDD_DATA" \
      > "$OUT/fsdd-torch-$t.jsonl"
  done
  echo "side-by-side: Backprop FsddBench --threads $THREADS" >&2
  : > "$OUT/fsdd-backprop.log"
  run "$OUT/fsdd-backprop.log" "$JAVA_HOME/bin/java" "${FSDD_JVM_FLAGS[@]}" -cp "$CP" org.backprop.bench.FsddBench \
    --threads "$THREADS" --epochs "$FSDD_EPOCHS" --data "$FSDD_DATA" > "$OUT/fsdd-backprop.jsonl"
  for w in fsdd_cnn fsdd_gru; do # a side that printed no row for a workload failed without saying so
    for f in "$OUT/fsdd-torch-1.jsonl" "$OUT/fsdd-torch-2.jsonl" "$OUT/fsdd-backprop.jsonl"; do
      grep -q "\"workload\": *\"$w\"" "$f" || { echo "side-by-side: FAILED: no $w row in $f" >&2; exit 1; }
    done
  done
}
if [ -n "$FSDD" ]; then
  fsdd_bench
  "$PYTHON" bench/report.py "$OUT" "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)" unknown "$(nproc)" \
    "bench/side-by-side.sh --fsdd --fsdd-epochs $FSDD_EPOCHS" "${FSDD_JVM_FLAGS[*]}" --fsdd-only
  exit 0
fi
if [ -n "$SEQ_ONLY" ]; then
  seq_bench
  cat "$OUT"/seq-*.jsonl
  exit 0
fi

for t in 1 2; do
  echo "side-by-side: PyTorch --threads $t" >&2
  "$PYTHON" "$PEER" --threads "$t" --epochs "$EPOCHS" --data "$DATA" > "$OUT/torch-$t.jsonl" 2> "$OUT/torch-$t.log"
  if [ -f "$PEER_SEQ" ]; then
    echo "side-by-side: PyTorch charlm_lstm --threads $t" >&2
    "$PYTHON" "$PEER_SEQ" --threads "$t" --iters "$ITERS" --workloads charlm_lstm >> "$OUT/torch-$t.jsonl" 2>> "$OUT/torch-$t.log"
  fi
done
echo "side-by-side: Backprop (Java kernels) --threads $THREADS" >&2
"${JAVA[@]}" -cp "$CP" org.backprop.bench.FashionBench --threads "$THREADS" --epochs "$EPOCHS" --data "$DATA" \
  > "$OUT/backprop-java.jsonl" 2> "$OUT/backprop-java.log"
echo "side-by-side: Backprop charlm_lstm --threads $THREADS" >&2
"${SEQ_JAVA[@]}" -cp "$CP" org.backprop.bench.SeqBench --threads "$THREADS" --iters "$ITERS" --workloads charlm_lstm \
  >> "$OUT/backprop-java.jsonl" 2>> "$OUT/backprop-java.log"
# On a CPU with 512-bit vectors the speed issue's targets also hold for the 8-lane kernels (standing in
# for an AVX2 machine): the same FashionBench again with -Dbackprop.vectorBits=256, as its own column.
if grep '512-bit vectors' "$OUT/backprop-java.log" > /dev/null; then
  echo "side-by-side: Backprop (Java kernels, -Dbackprop.vectorBits=256) --threads $THREADS" >&2
  "${JAVA[@]}" -Dbackprop.vectorBits=256 -cp "$CP" org.backprop.bench.FashionBench --threads "$THREADS" --epochs "$EPOCHS" \
    --data "$DATA" > "$OUT/backprop-java256.jsonl" 2> "$OUT/backprop-java256.log"
fi
# (grep without -q: under pipefail, grep -q leaving early makes ldconfig fail with SIGPIPE, and the run was skipped)
if ldconfig -p 2>/dev/null | grep libopenblas > /dev/null; then
  echo "side-by-side: Backprop (-Dbackprop.blas=auto, OpenBLAS) --threads $THREADS" >&2
  "${JAVA[@]}" -Dbackprop.blas=auto -cp "$CP" org.backprop.bench.FashionBench --threads "$THREADS" --epochs "$EPOCHS" \
    --data "$DATA" > "$OUT/backprop-auto.jsonl" 2> "$OUT/backprop-auto.log"
fi

seq_bench

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
VEC=$(grep -o '[0-9]*-bit vectors ([0-9]* floats)' "$OUT/backprop-java.log" | head -n 1 || true)
# Everything below the marker line in docs/BENCHMARKS.md (other measurements) is kept.
MARKER='<!-- Measurements below this line are kept when bench/side-by-side.sh rewrites the file. -->'
# (found as a fixed string: the marker holds a '/', which would end a sed address)
AT=$(grep -nxF -- "$MARKER" docs/BENCHMARKS.md 2>/dev/null | head -n 1 | cut -d: -f1 || true)
KEPT=
if [ -n "$AT" ]; then KEPT=$(tail -n +"$AT" docs/BENCHMARKS.md); fi
"$PYTHON" bench/report.py "$OUT" "$CPU" "${VEC:-unknown}" "$(nproc)" "bench/side-by-side.sh --epochs $EPOCHS --iters $ITERS" \
  "${JVM_FLAGS[*]}" > "$OUT/BENCHMARKS.md"
{ cat "$OUT/BENCHMARKS.md"; if [ -n "$KEPT" ]; then echo; echo "$KEPT"; fi; } > docs/BENCHMARKS.md
echo "side-by-side: wrote docs/BENCHMARKS.md" >&2
