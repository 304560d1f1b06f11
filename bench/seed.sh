#!/usr/bin/env bash
# bench/seed.sh puts the seed's own program beside the lesson: it runs the TensorFlow lesson's Keras code as
# written (bench/seed/convolutions.py: fashion_mnist.load_data(), /255, the Sequential CNN, adam, 5 epochs
# at Keras's default batch of 32, evaluate) with the peers' TensorFlow (scripts/peers.sh), then
# `lesson03 train` (5 epochs, batch 32, a fresh model) on each GoMLX backend given, all on the same
# Fashion-MNIST files, one after the other, and prints each one's test accuracy, wall time and peak memory
# (RSS, from GNU time) and a Markdown table of them. About 15 minutes on 2 cores.
#
# Usage: bench/seed.sh [BACKEND ...]      (make bench-seed)
#
#   BACKEND   GOMLX_BACKEND values for lesson03, default: go xla:cpu
#             (e.g. xla:/abs/path/xla_cpu_pjrt.so for a plugin go-xla does not find by itself)
#
# The data: $LESSON_DATA_DIR, else the lesson's user cache (~/.cache/gonb-lessons/fashion-mnist), else
# Debian's /usr/share/datasets/fashion-mnist, the first that holds the four files, as the lesson looks.
# load_data() runs unchanged: KERAS_HOME points Keras at .build/keras-home, whose dataset cache
# (datasets/fashion-mnist) links to those files, so nothing is downloaded and the user's ~/.keras is not
# touched.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$project"
say() { printf 'seed: %s\n' "$*"; }
die() { printf 'seed: %s\n' "$*" >&2; exit 1; }

[[ ${1:-} == -h || ${1:-} == --help ]] && { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
backends=("$@")
[[ ${#backends[@]} -gt 0 ]] || backends=(go xla:cpu)

python=.build/peers/bin/python
[[ -x $python ]] || die "$python is missing: make peers (scripts/peers.sh) installs TensorFlow there"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: sudo apt-get install -y time"
export GOEXPERIMENT=simd

files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
has_all() { local f; for f in "${files[@]}"; do [[ -f $1/$f.gz || -f $1/$f ]] || return 1; done; }
data=
for dir in ${LESSON_DATA_DIR:+"$LESSON_DATA_DIR"} "${XDG_CACHE_HOME:-$HOME/.cache}/gonb-lessons/fashion-mnist" \
    /usr/share/datasets/fashion-mnist; do
  if has_all "$dir"; then data=$dir; break; fi
done
[[ -n $data ]] || die "no Fashion-MNIST files: sudo apt-get install dataset-fashion-mnist, or go run ./cmd/lesson03 download, or set LESSON_DATA_DIR"
data=$(cd "$data" && pwd -P)

# Keras's dataset cache, ours: links to the lesson's files (gzipped here where they are not).
export KERAS_HOME=$project/.build/keras-home
cache=$KERAS_HOME/datasets/fashion-mnist
mkdir -p "$cache"
for f in "${files[@]}"; do
  if [[ -f $data/$f.gz ]]; then
    ln -sfn "$data/$f.gz" "$cache/$f.gz"
  else
    rm -f "$cache/$f.gz"
    gzip -c "$data/$f" >"$cache/$f.gz.tmp" && mv "$cache/$f.gz.tmp" "$cache/$f.gz"
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/lesson03" ./cmd/lesson03

say "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; data: $data"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
# run NAME BACKEND CMD...: runs CMD under GNU time, its output in $out/NAME.log; adds a row.
run() {
  local name=$1 backend=$2; shift 2
  say "running $name ($backend)"
  /usr/bin/time -f 'wall_s=%e peak_rss_kib=%M' -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 ||
    { tail -n 20 "$out/$name.log" >&2; die "$name failed"; }
  local acc wall rss
  acc=$(sed -n 's/^test accuracy: //p' "$out/$name.log" | tail -1)
  wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' "$out/$name.time")
  rss=$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' "$out/$name.time")
  printf 'seed result program=%s backend=%s test_accuracy=%s wall_s=%s peak_rss_mib=%d\n' \
    "$name" "$backend" "$acc" "$wall" $((rss / 1024))
  local s; s=$(printf '%.0f' "$wall")
  rows+=("$(printf '| %s | %s | %s | %d min %02d s | %d MiB |' "$name" "$backend" "$acc" $((s / 60)) $((s % 60)) $((rss / 1024)))")
}

versions=$("$python" -c 'import importlib.metadata as m; print("Keras %s, TF %s" % (m.version("keras"), m.version("tensorflow-cpu")))')
run "seed ($versions)" tensorflow-cpu env TF_CPP_MIN_LOG_LEVEL=1 "$python" -c '
import runpy
loss, accuracy = runpy.run_path("bench/seed/convolutions.py")["test_loss"]
print("test accuracy: %.4f" % accuracy)'
for b in "${backends[@]}"; do
  run "lesson03 train" "$b" env GOMLX_BACKEND="$b" "$out/lesson03" train -data "$data" -checkpoint "$out/checkpoints-${b//[^a-z0-9]/_}"
done
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| program | backend | test accuracy | wall time | peak RSS |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
