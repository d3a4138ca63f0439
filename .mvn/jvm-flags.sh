# The JVM flags of the `backprop` command, sourced by ./backprop and by bench/side-by-side.sh, so
# that the benchmark measures the process a user runs. Change them here, in one place.
#
# The collector is the parallel one, with a fixed young generation (-Xmn: a training step's garbage
# lives and dies there, all of it touched, so it sets most of the resident memory) and a heap cap.
# The cap matters for memory, not only as a limit: this collector grows its old generation up to the
# cap before it ever collects it in full, so a long run's peak RSS is about cap + 100 MB whatever its
# live data (FashionBench, 1 epoch of each workload, peak RSS: -Xmx256m -Xmn96m 356 MiB; -Xmn96m
# alone 524 MiB; the serial collector uncapped 493 MiB, capped 351 MiB; G1 with -XX:MaxNewSize=96m
# 964 MiB, with -XX:GCTimeRatio=4 -XX:SoftMaxHeapSize=256m 450 MiB; ZGC with SoftMaxHeapSize=256m
# 606 MiB). A smaller young generation alone does not help (-Xmx256m -Xmn64m 375 MiB: the old one
# just gets the room); the cap has to come down with it, and the old generation (cap - young) must
# keep more free room than the young generation above the live data (Fashion-MNIST's bytes and a
# LeNet-5's state: ~85 MB), or the collector stops risking young collections and every one is full
# (-Xmx208m -Xmn96m: 279 full collections). Since the loader streams the IDX files into their arrays
# (loading no longer peaks at ~140 MB of heap): -Xmx192m -Xmn48m 283 MiB (6 full collections, 5 of
# them in LeNet-5's test pass at 1000 images; 3 epochs of every workload 284 MiB, 6 full; the MLP's
# CPU time as under 256m/96m), -Xmx160m -Xmn40m 261 MiB (12 full, ~2x the pauses).
# The batch-norm CNN keeps ~112 MB live (data included) and a step's activations outgrow a 48 MB
# young generation: under 192m/48m it made 45 full collections in its first 70 s (256m/96m: 14).
# So nobody should have to tune it, the cap is chosen per run from the command line:
#   - train on a built-in data set: the cap measured to fit it (Fashion-MNIST's images are kept as
#     bytes, 55 MB); the spoken digits' CNN and the LSTM need more room for their activations, the
#     GPT less (its steps reuse an arena);
#   - anything else (your CSV file or image folder, predict, evaluate, ...): no cap beyond the JVM's
#     default (a quarter of the machine's memory), so big data fits without -Xmx.
# BACKPROP_JAVA_OPTS comes last and wins.
BACKPROP_JVM_BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC"

# backprop_jvm_heap ARGS...: the heap flags for `backprop ARGS...`.
backprop_jvm_heap() {
  cmd=${1:-}
  data=digits model=mlp
  while [ $# -gt 0 ]; do
    case "$1" in
      --data) data=${2:-}; shift ;;
      --data=*) data=${1#--data=} ;;
      --model) model=${2:-}; shift ;;
      --model=*) model=${1#--model=} ;;
    esac
    shift
  done
  data=$(printf '%s' "$data" | tr '[:upper:]' '[:lower:]')
  model=$(printf '%s' "$model" | tr '[:upper:]' '[:lower:]')
  if [ "$cmd" != train ]; then echo "-Xmn96m"; return; fi
  case "$data:$model" in
    fsdd:*) echo "-Xmx448m -Xmn128m" ;;
    *:gpt) echo "-Xmx192m -Xmn64m" ;;
    shakespeare:*|*.txt:*|*:lstm|*:gru|*:rnn) echo "-Xmx448m -Xmn128m" ;;
    fashion-mnist:cnn|fashion:cnn) echo "-Xmx256m -Xmn96m" ;;
    fashion-mnist:*|fashion:*|digits:*|housing:*) echo "-Xmx192m -Xmn48m" ;;
    *) echo "-Xmn96m" ;;
  esac
}

# backprop_jvm_flags USER_OPTS ARGS...: the base flags, the heap flags for ARGS, then the user's
# options; our collector is left out when the user picks one (two collectors stop the JVM), and our
# heap sizes when the user gives any (a -Xmn above the user's -Xmx would not start either).
backprop_jvm_flags() {
  user=${1:-}
  shift
  base=$BACKPROP_JVM_BASE
  heap=$(backprop_jvm_heap "$@")
  case " $user " in
    *" -XX:+Use"*GC*) base=${base% -XX:+UseParallelGC} ;;
  esac
  case " $user " in
    *" -Xm"[xsn]*|*"HeapSize="*|*"RAMPercentage="*|*"NewSize="*) heap= ;;
  esac
  printf '%s %s %s\n' "$base" "$heap" "$user"
}
