#!/usr/bin/env bash
# One-shot GPU check (run from gpu-bundle/, made by scripts/make-gpu-bundle.sh): generate parity (cpu vs gpu f32 vs gpu f16) on a tiny random model, then bench on
# 7B-shaped random checkpoints in f16. Uses the pip torch's libtorch through PYTORCH_LIBRARY_PATH.
set -u
B=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
START=$(date +%s)
el() { echo "[+$(( $(date +%s) - START ))s] $*"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
TORCH=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")
python3 -c "import torch;print('torch', torch.__version__, 'cuda', torch.version.cuda)"
nproc; free -g | head -2
export PYTORCH_LIBRARY_PATH=$TORCH/lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128 DJL_CACHE_DIR=/tmp/djl
J="$B/jre/bin/java -Xmx8g -jar $B/asclepius.jar"
$J random-model --out /tmp/tiny --preset tiny
IDS="1 450 5199 338 263 29871 29953 29955 29899 6360 29899 1025 767"
for d in "cpu f32" "gpu:0 f32" "gpu:0 f16"; do
  set -- $d; tag=$(echo "$1-$2" | tr -d ':')
  el "generate $1 $2"
  timeout 120 $J generate --model /tmp/tiny --prompt-ids "$IDS" --max-new-tokens 16 --device $1 --dtype $2 --json \
      --logits-out "$OUT/logits-$tag.npy" > "$OUT/gen-$tag.json"; echo "rc=$?"; cat "$OUT/gen-$tag.json"
done
python3 - <<'PY'
import numpy as np, os
o = os.environ.get("OUT", "/tmp/out")
try:
    c = np.load(f"{o}/logits-cpu-f32.npy")
    for t in ["gpu0-f32", "gpu0-f16"]:
        g = np.load(f"{o}/logits-{t}.npy")
        print(t, "max|diff| vs cpu f32 =", float(np.abs(g - c).max()), "argmax equal:", int(g.argmax()) == int(c.argmax()), "scale", float(np.abs(c).max()))
except Exception as e:
    print("compare failed:", e)
PY
el "7B layer shape, 2 layers, f16 storage"
$J random-model --out /tmp/m7b2 --preset 7b --layers 2 --storage f16
el "bench gpu f16 2 layers"
timeout 150 $J bench --model /tmp/m7b2 --device gpu:0 --dtype f16 --prompt-tokens 128 --new-tokens 64 --warmup 2 --repeat 5; echo "rc=$?"
rm -rf /tmp/m7b2
el "7B shape, 32 layers, f16 storage"
timeout 200 $J random-model --out /tmp/m7b --preset 7b --layers 32 --storage f16; echo "rc=$?"
el "generate 7B gpu f16"
timeout 120 $J generate --model /tmp/m7b --prompt-ids "$IDS" --max-new-tokens 32 --device gpu:0 --json; echo "rc=$?"
el "bench 7B gpu f16"
timeout 150 $J bench --model /tmp/m7b --device gpu:0 --dtype f16 --prompt-tokens 128 --new-tokens 64 --warmup 2 --repeat 3; echo "rc=$?"
nvidia-smi --query-gpu=memory.used --format=csv
el done
