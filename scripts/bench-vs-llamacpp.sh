#!/usr/bin/env bash
# Issue #17's table in one go: the DJL engine (one OpenMP op per product, then the default row split) against llama.cpp F32 on the
# same random checkpoints, same prompt, same runs, in the same `bench` process (--compare-gguf), at 1 and 2
# threads, on the small model and the 7B layer shape (1 layer). Run on a QUIET machine from the repository root
# after `mvn -B -q package -DskipTests`; about 6-8 minutes on the 2-vCPU VM, models written on first use.
# Output: one `bench` report per line group in $OUT/bench-vs-llamacpp.log (default /tmp).
set -u
OUT=${OUT:-/tmp}; M=${MODELS:-/tmp/asclepius-bench}; mkdir -p "$M"
J="java -jar asclepius-examples/target/asclepius.jar"
exec > >(tee "$OUT/bench-vs-llamacpp.log") 2>&1
[ -d "$M/small" ] || $J random-model --out "$M/small" --preset small
[ -d "$M/m7b1" ] || $J random-model --out "$M/m7b1" --preset 7b --layers 1
for m in small m7b1; do
  [ -f "$M/$m-f32.gguf" ] || $J convert --model "$M/$m" --to "$M/$m-f32.gguf" --type f32 2>/dev/null
done
uptime
for m in small m7b1; do
  n=64; [ $m = m7b1 ] && n=32
  for t in 1 2; do
    for k in openmp default; do
      # default: decode rows split over as many Java threads as decode threads (from 2 up); openmp: one
      # OpenMP-threaded op per product (-Dasclepius.cpu.decodeSplit=1). oneDNN prompts lost 2-6x to MKL: not run.
      props=""; [ $k = openmp ] && props="-Dasclepius.cpu.decodeSplit=1"
      gguf=""; [ $k = default ] && gguf="--compare-gguf $M/$m-f32.gguf"   # llama.cpp once per model and thread count
      echo "=== $m, $t threads, $k kernels"
      java $props -jar asclepius-examples/target/asclepius.jar bench --model "$M/$m" --threads $t --decode-threads $t \
          --prompt-tokens 128 --new-tokens $n --warmup 1 --repeat 3 --floor-attempts 1 $gguf 2>/dev/null
    done
  done
done
uptime
