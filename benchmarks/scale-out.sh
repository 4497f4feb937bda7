#!/usr/bin/env bash
# Data-parallel scaling, side by side in one run: 1 rank x 1 thread, 2 ranks x 1 thread (mpirun -np 2) and
# 1 rank x 2 threads, for the batch-1024 and batch-64 workloads of the 784-1024-1024-10 net, on the simd backend.
# Each configuration is `fastnet bench --data-parallel` (the trainer's epochs on synthetic data, one gradient
# all-reduce a step); the simd backend's threads follow DOTNET_PROCESSOR_COUNT. Prints a Markdown table: samples/s,
# scaling efficiency (samples/s over twice the 1 x 1 figure), the share of the step spent in the all-reduce, and the
# gradient each step all-reduces with its time on 10 and 100 Gb/s links (a ring all-reduce sends and receives
# 2(N-1)/N of it on each rank). The three configurations run in turn, for a number of rounds, and each reports its
# best round, which is the one least slowed by other work on a shared machine.
# Usage: benchmarks/scale-out.sh [seconds per measurement, default 4] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Every configuration fully optimized from the first call: under DOTNET_PROCESSOR_COUNT=1 the JIT's tiers left much
# of a step unoptimized for whole measurements, which made 1 x 1 and 2 x 1 look slow next to 1 x 2
# (benchmarks/results/2-core-avx512/quiet-window/README.md).
export DOTNET_TieredCompilation=0
seconds=${1:-4}
rounds=${2:-3}
cli=src/FastNet.Cli/bin/Release/net10.0/FastNet.Cli.dll
[[ -f $cli ]] || dotnet build src/FastNet.Cli -c Release >/dev/null
bench=(dotnet "$cli" bench --data-parallel --workload sigmoid-1024,sigmoid-64 --backend simd --repeats 1 --seconds "$seconds")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "load before: $(uptime)"
for _ in $(seq "$rounds"); do
  DOTNET_PROCESSOR_COUNT=1 "${bench[@]}" >>"$out"
  mpirun -np 2 --oversubscribe -x DOTNET_PROCESSOR_COUNT=1 -x DOTNET_TieredCompilation "${bench[@]}" 2>&1 | sed -E 's/\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]//g' \
    | grep -E '^[a-z0-9-]+ simd ranks|^warning:' >>"$out"
  DOTNET_PROCESSOR_COUNT=2 "${bench[@]}" >>"$out"
done
echo "load after: $(uptime)"
echo
# fields: 1 workload, 4 ranks, 6 threads, 8 samples/s, 10 step_ms, 12 allreduce_ms, 14 share, 16 gradient_bytes,
# 18 others (cores other processes took), 20 loadavg; the bench's other lines are its load notes, and its warnings
# (a measurement on a busy machine) are repeated under the table
awk '
  $1 == "warning:" { warnings[++nw] = $0; next }
  !/ ranks [0-9]+ threads / { next }
  {
    c = $1 " " $4 " " $6
    if (!(c in best)) order[++n] = c
    if (!($1 in seen)) { seen[$1] = 1; workloads[++w] = $1 }
    if (!(c in best) || $8 > best[c]) { best[c] = $8; rows[c] = $0 }
    bytes[$1] = $16
  }
  END {
    for (i = 1; i <= n; i++) { split(rows[order[i]], f, " "); if (f[4] == 1 && f[6] == 1) base[f[1]] = f[8] }
    print "| workload | ranks x threads | samples/s | efficiency | step ms | all-reduce ms | all-reduce share |"
    print "|---|---|---:|---:|---:|---:|---:|"
    for (j = 1; j <= w; j++) for (i = 1; i <= n; i++) {
      split(rows[order[i]], f, " ")
      if (f[1] != workloads[j]) continue
      k = f[4] * f[6]
      eff = k == 1 ? "1 (base)" : sprintf("%.0f%%", 100 * f[8] / (k * base[f[1]]))
      printf "| %s | %d x %d | %.0f | %s | %.1f | %.2f | %.1f%% |\n", f[1], f[4], f[6], f[8], eff, f[10], f[12], 100 * f[14]
    }
    for (k in bytes) b = bytes[k] # the same net in both workloads
    {
      printf "\n784-1024-1024-10: %.2f MB all-reduced a step (float32 gradient); ring all-reduce per rank, N=2: %.2f MB each way, " \
        "%.1f ms at 10 Gb/s, %.2f ms at 100 Gb/s; large N: %.2f MB, %.1f ms, %.2f ms\n", b / 1e6, b / 1e6,
        b * 8 / 1e10 * 1e3, b * 8 / 1e11 * 1e3, 2 * b / 1e6, 2 * b * 8 / 1e10 * 1e3, 2 * b * 8 / 1e11 * 1e3
    }
    for (i = 1; i <= nw; i++) print warnings[i]
  }' "$out"
