#!/usr/bin/env bash
# Validates and benchmarks the gpu backend from the bundle make-bundle.sh wrote (.bundle/), on a machine with no
# .NET: unpack, record the machine, run the GPU test suite on CUDA with FastNet's kernels and with cuBLAS,
# `fastnet verify`, then `fastnet bench` on gpu, simd and (small workloads) reference. Every step has a time limit
# and the whole run a budget, so one hang cannot eat the machine's time. Results go to $OUT (at most 6 files:
# summary.md, run.log, results.tar.gz with every log, TRX/xUnit XML and JSON, and the bench JSON files) and are
# refreshed after each step, so a run cut short still returns what it finished.
# Exit status: 0 only when every step passed.
#
# Usage: OUT=<dir> bash benchmarks/gpu/run-on-device.sh [--cpu]
#   --cpu  no GPU: the test suite on ILGPU's CPU accelerator and short CPU-only runs (checks the bundle anywhere)
# FASTNET_RUN_BUDGET: seconds for the whole run (default 540, under the machine's 10-minute command limit).
set -uo pipefail # not -e: a failed step is recorded and the next one still runs

repo=$(cd "$(dirname "$0")/../.." && pwd)
bundle=$repo/.bundle/fastnet-linux-x64.tar.xz
mode=cuda
case "${1:-}" in
  "") ;;
  --cpu) mode=cpu ;;
  *) echo "usage: OUT=<dir> $0 [--cpu]" >&2; exit 2 ;;
esac
out=${OUT:?set OUT to the folder the results go to}
budget=${FASTNET_RUN_BUDGET:-540}
reserve=15 # kept back for the last summary and packing

mkdir -p "$out"
exec > >(tee -a "$out/run.log") 2>&1
tee_pid=$!

work=$(mktemp -d)
results=$work/results
mkdir -p "$results"
steps=$results/steps.tsv
fastnet=$work/fastnet/cli/FastNet.Cli
tests=$work/fastnet/gpu-tests/FastNet.Kernels.Gpu.Tests
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# step NAME SECONDS [--stdout FILE] COMMAND...: runs COMMAND under a time limit (cut to what is left of the budget),
# its output in results/NAME.log (stdout in FILE when given), and records PASS, FAIL, TIMEOUT or SKIPPED.
step() {
  local name=$1 limit=$2 stdout=""
  shift 2
  if [ "${1:-}" = --stdout ]; then stdout=$2; shift 2; fi
  local left=$((budget - reserve - SECONDS))
  if [ "$left" -lt 10 ]; then
    record "$name" SKIPPED - 0 "$limit" "out of time"
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "== $name (limit ${limit}s): $*"
  # timeout runs programs, not shell functions: a function step runs in a child bash (see export -f below)
  declare -F "$1" > /dev/null && set -- bash -c '"$@"' "$1" "$@"
  local start=$SECONDS rc
  if [ -n "$stdout" ]; then
    timeout -k 10 "$limit" "$@" > "$stdout" 2> "$results/$name.log"
  else
    timeout -k 10 "$limit" "$@" > "$results/$name.log" 2>&1
  fi
  rc=$?
  local status=PASS note=""
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    status=TIMEOUT note="killed after ${limit}s"
  elif [ "$rc" -ne 0 ]; then
    status=FAIL note="exit $rc"
  fi
  record "$name" "$status" "$rc" $((SECONDS - start)) "$limit" "$note"
  tail -n 5 "$results/$name.log" | sed 's/^/   | /'
}

record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$steps"
  echo "== $1: $2${6:+ ($6)} after $4 s"
  publish
}

# What comes back: few files (the machine returns at most 8), rewritten after every step.
publish() {
  summary > "$out/summary.md.tmp" && mv "$out/summary.md.tmp" "$out/summary.md"
  tar -C "$work" -czf "$out/results.tar.gz.tmp" results && mv "$out/results.tar.gz.tmp" "$out/results.tar.gz"
  for json in "$results"/bench-*.json; do
    [ -s "$json" ] && cp -f "$json" "$out/"
  done
  return 0
}

summary() {
  echo "# FastNet GPU run ($mode)"
  echo
  [ -f "$results/gpu-name.txt" ] && echo "GPU: $(cat "$results/gpu-name.txt"); results folder: benchmarks/results/$(slug < "$results/gpu-name.txt")/"
  [ -f "$work/fastnet/BUNDLE.txt" ] && sed 's/^/bundle /' "$work/fastnet/BUNDLE.txt"
  echo
  echo "| step | result | exit | seconds | limit | note |"
  echo "|---|---|---|---|---|---|"
  [ -f "$steps" ] && awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$steps"
  echo
  for log in "$results"/gpu-tests-*.log; do
    [ -f "$log" ] && echo "$(basename "$log" .log): $(grep -E 'Total: [0-9]+' "$log" | tail -n 1 | sed 's/^ *//')"
  done
  for log in "$results"/verify*.log; do
    [ -f "$log" ] && echo "$(basename "$log" .log): $(grep -E '^verify: ' "$log" | tail -n 1 | sed 's/^verify: //')"
  done
  for json in "$results"/bench-*.json; do
    [ -s "$json" ] && command -v python3 > /dev/null && python3 - "$json" << 'PY'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except ValueError as e:
    print(f"\n{sys.argv[1].rsplit('/', 1)[-1]}: not valid JSON ({e})")
    raise SystemExit
print(f"\n{sys.argv[1].rsplit('/', 1)[-1]} (medians; peak_gflops is the host CPU's FP32 FMA peak)\n")
if "sgemm" in data:
    print("| sgemm | backend | GFLOP/s | repeats |")
    print("|---|---|---|---|")
    for r in data["sgemm"]:
        repeats = ", ".join(f"{v:.0f}" for v in r["repeats"])
        print(f"| {r['size']}³ | {r['backend']} | {r['gflops']:,.1f} | {repeats} |")
    raise SystemExit
print("| workload | backend | samples/s | GFLOP/s | device MiB | launches/step | B/step |")
print("|---|---|---|---|---|---|---|")
for r in data["results"]:
    device = f"{r['device_bytes'] / 1048576:.1f}" if "device_bytes" in r else "-"
    launches = r.get("launches_per_step", "-")
    allocated = f"{r['allocated_bytes_per_step']:.0f}" if "allocated_bytes_per_step" in r else "-"
    print(f"| {r['workload']} | {r['backend']} | {r['samples_per_second']:,.0f} | {r['gflops']:.1f} | {device} "
          f"| {launches} | {allocated} |")
PY
  done
  return 0
}

slug() { tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//'; }

unpack() {
  [ -f "$bundle" ] || { echo "no bundle at $bundle: run benchmarks/gpu/make-bundle.sh and carry .bundle"; return 1; }
  if command -v xz > /dev/null; then
    xz -dc "$bundle" | tar -xf - -C "$work"
  else # a bare machine may lack xz; python3's lzma reads the same file
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$bundle" \
      | tar -xf - -C "$work"
  fi
  cat "$work/fastnet/BUNDLE.txt"
}

# Makes the CUDA driver and cuBLAS findable by name: ILGPU imports "cuda" (libcuda.so) and FastNet looks for
# libcublas.so.13/.12; images often have only libcuda.so.1, or cuBLAS outside the loader's path.
libraries() {
  local links=$work/lib
  mkdir -p "$links"
  if ! ldconfig -p | grep -q 'libcuda\.so '; then
    local driver
    driver=$(ldconfig -p | awk '/libcuda\.so\.1 / { print $NF; exit }')
    [ -n "$driver" ] && ln -sf "$driver" "$links/libcuda.so" && echo "libcuda.so -> $driver"
  fi
  if ! ldconfig -p | grep -qE 'libcublas\.so\.1[23] '; then
    local found
    found=$(timeout 30 find /usr/local /opt /usr/lib -maxdepth 8 -name 'libcublas.so.1[23]' 2> /dev/null \
      | grep -v stubs | head -n 1)
    [ -n "$found" ] && export LD_LIBRARY_PATH="$(dirname "$found")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      && echo "cuBLAS from $found"
  fi
  export LD_LIBRARY_PATH="$links${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  ldconfig -p | grep -E 'libcuda\.so|libcublas(Lt)?\.so' || true
}

machine() {
  uname -a
  echo "cores: $(nproc)"
  free -g | head -n 2
  if [ "$mode" = cuda ]; then
    nvidia-smi || return 1
    nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1 > "$results/gpu-name.txt"
  fi
}

gpu_tests() { # gpu_tests DEVICE: the suite on FASTNET_GPU_TESTS=DEVICE, with TRX and xUnit XML results
  FASTNET_GPU_TESTS=$1 "$tests" -noColor -longRunning 60 \
    -result-trx "$results/gpu-tests-$1.trx" -result-xml "$results/gpu-tests-$1.xml"
}

export bundle work results mode tests
export -f unpack machine gpu_tests

echo "fastnet GPU run: mode $mode, budget ${budget}s, results in $out"
step unpack 120 unpack
if [ -x "$fastnet" ] && [ -x "$tests" ]; then
  step machine 60 machine
  [ "$mode" = cuda ] && libraries > "$results/libraries.log" 2>&1
  step info 60 "$fastnet" info
  if [ "$mode" = cuda ]; then
    step verify 60 "$fastnet" verify --backend gpu,gpu-own,simd
    step verify-deep 90 "$fastnet" verify --backend gpu,gpu-own,simd --layers 256,128 --activation sigmoid \
      --optimizer nadam --batch 200 --steps 5
    step verify-per-example 60 "$fastnet" verify --backend gpu,gpu-own,simd --layers 128 --activation sigmoid \
      --loss half-squared-error --optimizer sgd --batch 1 --steps 5
    step gpu-tests-cuda 150 gpu_tests cuda
    step gpu-tests-cuda-cublas 150 gpu_tests cuda-cublas
    step bench-sgemm 90 --stdout "$results/bench-sgemm.json" "$fastnet" bench --gemm 4096 --backend gpu,gpu-own \
      --repeats 3 --json
    step bench-gpu 240 --stdout "$results/bench-gpu.json" "$fastnet" bench --backend gpu,gpu-own --workload all --json
    step bench-simd 180 --stdout "$results/bench-simd.json" "$fastnet" bench --backend simd --workload all --json
    step bench-reference 90 --stdout "$results/bench-reference.json" "$fastnet" bench --backend reference \
      --workload per-example,tanh-64 --repeats 3 --json
  else
    step verify 120 "$fastnet" verify --backend simd
    step gpu-tests-cpu 400 gpu_tests cpu
    step bench-sgemm 60 --stdout "$results/bench-sgemm.json" "$fastnet" bench --gemm 256 --backend simd \
      --repeats 1 --seconds 0.2 --json
    step bench-simd 120 --stdout "$results/bench-simd.json" "$fastnet" bench --backend simd \
      --workload per-example,tanh-64 --repeats 1 --seconds 0.2 --json
    step bench-reference 60 --stdout "$results/bench-reference.json" "$fastnet" bench --backend reference \
      --workload per-example --repeats 1 --seconds 0.2 --json
  fi
else
  record bundle FAIL - 0 - "no executables after unpacking"
fi

publish
echo
cat "$out/summary.md"
failed=$(awk -F'\t' '$2 != "PASS"' "$steps" | wc -l) || failed=1
rm -rf "$work"
echo
echo "run-on-device: $failed step(s) did not pass"
exec > /dev/null 2>&1
wait "$tee_pid" # let run.log receive the last lines
[ "$failed" -eq 0 ]
