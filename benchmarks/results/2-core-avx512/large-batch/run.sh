#!/usr/bin/env bash
# Large-batch experiment: MNIST and Fashion-MNIST, 784-512-10 ReLU, cross-entropy, simd backend (10 epochs, seed 1 unless set).
# Batch 128 Adam against batch 8192 with Adam, LARS and LAMB (linear learning-rate scaling + warm-up).
# Usage: run.sh DATASET NAME [train options...]   e.g. run.sh mnist adam-b128 --optimizer adam --batch 128
# Writes NAME's log (with /usr/bin/time and uptime), metrics (JSON lines) and curves (PNG) under DATASET/; NAME may
# name a subfolder (val/adam-b8192-s1). The environment sets SEED (default 1), EPOCHS (default 10), PLOT=0 (no PNG)
# and OUT (the folder that holds DATASET/, default this script's own).
# The datasets must be cached first: fastnet data fetch mnist; fastnet data fetch fashion-mnist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
fastnet=${FASTNET:-$root/src/FastNet.Cli/bin/Release/net10.0/FastNet.Cli}
data=$1 name=$2
shift 2
seed=${SEED:-1} epochs=${EPOCHS:-10}
plot=(--plot "$name.png")
[ "${PLOT:-1}" = 0 ] && plot=()
out=${OUT:-$here}
mkdir -p "$out/$data/$(dirname "$name")"
cd "$out/$data"
{
  echo "load before: $(uptime)"
  /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
    "$fastnet" train --data "$data" --layers 512 --epochs "$epochs" --seed "$seed" --backend simd \
    "${plot[@]}" --metrics "$name.jsonl" "$@"
  echo "load after: $(uptime)"
} > "$name.log" 2>&1
grep -E "^test accuracy|^wall|^validation accuracy" "$name.log" | tr '\n' ' '
echo " $name"
