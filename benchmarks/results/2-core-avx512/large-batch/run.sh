#!/usr/bin/env bash
# Large-batch experiment: MNIST (and Fashion-MNIST), 784-512-10 ReLU, cross-entropy, 10 epochs, seed 1, simd backend.
# Batch 128 Adam against batch 8192 with Adam, LARS and LAMB (linear learning-rate scaling + warm-up).
# Usage: run.sh DATASET NAME [train options...]   e.g. run.sh mnist adam-b128 --optimizer adam --batch 128
# Writes NAME's log (with /usr/bin/time and uptime), metrics (JSON lines) and curves (PNG) under DATASET/.
# The datasets must be cached first: fastnet data fetch mnist; fastnet data fetch fashion-mnist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
fastnet=${FASTNET:-$root/src/FastNet.Cli/bin/Release/net10.0/FastNet.Cli}
data=$1 name=$2
shift 2
mkdir -p "$here/$data"
cd "$here/$data"
{
  echo "load before: $(uptime)"
  /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
    "$fastnet" train --data "$data" --layers 512 --epochs 10 --seed 1 --backend simd \
    --plot "$name.png" --metrics "$name.jsonl" "$@"
  echo "load after: $(uptime)"
} > "$name.log" 2>&1
grep -E "^test accuracy|^wall" "$name.log" | tr '\n' ' '
echo " $name"
