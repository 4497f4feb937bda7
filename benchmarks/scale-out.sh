#!/usr/bin/env bash
# Data-parallel scaling, side by side in one run: 1 rank x 1 thread, 2 ranks x 1 thread (mpirun -np 2) with the flat
# all-reduce and with the per-layer ones (--allreduce layers), and 1 rank x 2 threads, for the batch-1024 and
# batch-64 workloads of the 784-1024-1024-10 net, on the simd backend; and 1 rank x 1 thread at batch 512, the share
# of a batch of 1024 each of 2 ranks computes, to tell how much of the ranks' step is that share's own cost, and at
# batch 1024 as 2 accumulated micro-batches of 512, to tell what summing a gradient into the accumulator costs (a rank
# of a data-parallel run with --accumulate sums its micro-batches that way; without it, as here, the backward pass
# writes the rank's share of the batch gradient itself, and the flat all-reduce sums it in place).
# Each configuration is `fastnet bench --data-parallel` (the trainer's epochs on synthetic data, the gradient
# all-reduced once a step or once a layer); the simd backend's threads follow DOTNET_PROCESSOR_COUNT. Prints a
# Markdown table: samples/s, scaling efficiency (samples/s over the workers times the 1 x 1 figure), the share of the
# step spent in the all-reduce (per layer: in the MPI calls, what the backward pass did not hide), the cores other
# processes took, and the gradient each step all-reduces with its time on 10 and 100 Gb/s links (a ring all-reduce
# sends and receives 2(N-1)/N of it on each rank). The configurations run in turn, for a number of rounds; each
# column is the median over the rounds (a round slowed by other work on a shared machine moves it little), and the
# efficiency is the median of each round's own ratio (that round's samples/s over the workers times that round's
# 1 x 1), with the smallest and largest ratio beside it. The others column is the largest of the rounds.
# mpirun gets MPIRUN_OPTIONS, by default `--mca btl_vader_single_copy_mechanism none`: Open MPI's shared-memory
# transport then copies through its own buffers instead of reading the other rank's memory with a system call
# (process_vm_readv). On the 2-core machine of benchmarks/results/2-core-avx2/scale-out.md that gained nothing
# (whole steps x0.99); MPIRUN_OPTIONS="" runs Open MPI's defaults. MPICH=1 also times 2 ranks of MPICH
# (mpiexec.mpich -bind-to core) in each round, as the all-reduce modes mpich-flat and mpich-layers.
# Usage: [MPIRUN_OPTIONS=…] [MPICH=1] [SCALE_OUT_RAW=FILE] benchmarks/scale-out.sh [seconds per measurement, default 4] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Every configuration fully optimized from the first call: under DOTNET_PROCESSOR_COUNT=1 the JIT's tiers left much
# of a step unoptimized for whole measurements, which made 1 x 1 and 2 x 1 look slow next to 1 x 2
# (benchmarks/results/2-core-avx512/quiet-window/README.md).
export DOTNET_TieredCompilation=0
seconds=${1:-4}
rounds=${2:-3}
read -ra mpirun_options <<<"${MPIRUN_OPTIONS---mca btl_vader_single_copy_mechanism none}"
cli=src/FastNet.Cli/bin/Release/net10.0/FastNet.Cli.dll
[[ -f $cli ]] || dotnet build src/FastNet.Cli -c Release >/dev/null
bench=(dotnet "$cli" bench --data-parallel --backend simd --repeats 1 --seconds "$seconds")
named=(--workload sigmoid-1024,sigmoid-64)
# sigmoid-1024's net, loss and optimizer at batch 512: a custom workload, which bench names "custom"
half=(--layers 784,1024,1024,10 --batch 512 --activation sigmoid --loss half-squared-error --optimizer sgd)
out=$(mktemp)
# SCALE_OUT_RAW=FILE keeps every round's bench lines, the figures the medians come from
trap 'if [[ -n ${SCALE_OUT_RAW:-} ]]; then cp "$out" "$SCALE_OUT_RAW"; fi; rm -f "$out"' EXIT

if ((${#mpirun_options[@]})); then echo "mpirun options: ${mpirun_options[*]}"; else echo "mpirun options: none (Open MPI's defaults)"; fi
echo "load before: $(uptime)"
for round in $(seq "$rounds"); do
  echo "round $round" >>"$out"
  DOTNET_PROCESSOR_COUNT=1 "${bench[@]}" "${named[@]}" >>"$out"
  DOTNET_PROCESSOR_COUNT=1 "${bench[@]}" "${half[@]}" | sed 's/^custom /sigmoid-512 /' >>"$out"
  DOTNET_PROCESSOR_COUNT=1 "${bench[@]}" --workload sigmoid-1024 --accumulate 2 >>"$out"
  mpirun -np 2 --oversubscribe "${mpirun_options[@]}" -x DOTNET_PROCESSOR_COUNT=1 -x DOTNET_TieredCompilation "${bench[@]}" "${named[@]}" \
    --allreduce flat,layers 2>&1 | sed -E 's/\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]//g' | grep -E '^[a-z0-9-]+ simd ranks|^warning:' >>"$out"
  if [[ ${MPICH:-0} = 1 ]]; then
    DOTNET_PROCESSOR_COUNT=1 mpiexec.mpich -bind-to core -np 2 "${bench[@]}" "${named[@]}" --allreduce flat,layers 2>&1 \
      | grep -E '^[a-z0-9-]+ simd ranks|^warning:' | sed -E 's/ allreduce (flat|layers) / allreduce mpich-\1 /' >>"$out"
  fi
  DOTNET_PROCESSOR_COUNT=2 "${bench[@]}" "${named[@]}" >>"$out"
done
echo "load after: $(uptime)"
echo
# fields: 1 workload, 4 ranks, 6 threads, 8 samples/s, 10 step_ms, 12 allreduce_ms, 14 share, 16 gradient_bytes,
# 18 all-reduce (none on one rank), 20 others (cores other processes took), 22 loadavg; "round N" lines start each
# round; the bench's other lines are its load notes, and its warnings (a measurement on a busy machine) are repeated
# under the table
awk '
  # the median of a[1..n], which it sorts
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  # the median over the rounds of field f of configuration c
  function med(c, f,   r, a, n) {
    n = 0
    for (r = 1; r <= rounds; r++) if ((c, r) in row) { split(row[c, r], x, " "); a[++n] = x[f] + 0 }
    return median(a, n)
  }
  $1 == "round" { round = $2; rounds = round; next }
  $1 == "warning:" { warnings[++nw] = $0; next }
  !/ ranks [0-9]+ threads / { next }
  {
    c = $1 " " $4 " " $6 " " $18
    if (!(c in seen)) { seen[c] = 1; order[++n] = c }
    if (!($1 in seenw)) { seenw[$1] = 1; workloads[++w] = $1 }
    row[c, round] = $0
    if (!(c in others) || $20 > others[c]) others[c] = $20
    bytes[$1] = $16
  }
  END {
    for (i = 1; i <= n; i++) { split(order[i], f, " "); if (f[2] == 1 && f[3] == 1) { base[f[1]] = order[i]; alone[f[1]] = med(order[i], 10) } }
    print "| workload | ranks x threads | all-reduce | samples/s | efficiency (range) | step ms | all-reduce ms | all-reduce share | others (cores) |"
    print "|---|---|---|---:|---:|---:|---:|---:|---:|"
    for (j = 1; j <= w; j++) for (i = 1; i <= n; i++) {
      c = order[i]
      split(c, f, " ")
      if (f[1] != workloads[j]) continue
      k = f[2] * f[3]
      if (f[1] == "sigmoid-512") eff = "(a rank'"'"'s share of sigmoid-1024)"
      else if (f[1] == "sigmoid-1024/k2") eff = "(sigmoid-1024 as 2 x 512, accumulated)"
      else if (k == 1) eff = "1 (base)"
      else {
        # each round against its own 1 x 1
        delete ratio; m = 0
        for (r = 1; r <= rounds; r++) if ((c, r) in row && (base[f[1]], r) in row) {
          split(row[c, r], x, " "); split(row[base[f[1]], r], y, " ")
          ratio[++m] = x[8] / (k * y[8])
        }
        e = median(ratio, m)
        eff = sprintf("%.0f%% (%.0f-%.0f%%)", 100 * e, 100 * ratio[1], 100 * ratio[m])
      }
      printf "| %s | %d x %d | %s | %.0f | %s | %.1f | %.2f | %.1f%% | %.2f |\n", f[1], f[2], f[3], f[2] == 1 ? "-" : f[4],
        med(c, 8), eff, med(c, 10), med(c, 12), 100 * med(c, 14), others[c]
      if (f[1] == "sigmoid-1024" && f[2] == 2) ranks[f[4]] = med(c, 10) " " med(c, 12)
    }
    split("flat layers", modes, " ")
    if ("sigmoid-512" in alone) for (q = 1; q <= 2; q++) if (modes[q] in ranks) {
      m = modes[q]
      split(ranks[m], rr, " ")
      printf "\nsigmoid-1024 on 2 ranks (%s): a step of %.1f ms, %.1f ms of it all-reduce; the rank'"'"'s 512 rows alone (1 x 1 at batch 512) %.1f ms; " \
        "left: %.1f ms of whatever else slows a rank (its share computed in one pass, %s)\n", m, rr[1], rr[2], alone["sigmoid-512"], rr[1] - rr[2] - alone["sigmoid-512"], \
        m == "flat" ? "all-reduced in place" : "through a host buffer, layer by layer"
    }
    if ("sigmoid-512" in alone && "sigmoid-1024/k2" in alone)
      printf "\nsumming a micro-batch gradient into the accumulator (with --accumulate): %.1f ms (sigmoid-1024 as 2 x 512 accumulated, %.1f ms, " \
        "less twice sigmoid-512, %.1f ms, halved)\n", (alone["sigmoid-1024/k2"] - 2 * alone["sigmoid-512"]) / 2,
        alone["sigmoid-1024/k2"], alone["sigmoid-512"]
    for (k in bytes) b = bytes[k] # the same net in every workload
    {
      printf "\n784-1024-1024-10: %.2f MB all-reduced a step (float32 gradient); ring all-reduce per rank, N=2: %.2f MB each way, " \
        "%.1f ms at 10 Gb/s, %.2f ms at 100 Gb/s; large N: %.2f MB, %.1f ms, %.2f ms\n", b / 1e6, b / 1e6,
        b * 8 / 1e10 * 1e3, b * 8 / 1e11 * 1e3, 2 * b / 1e6, 2 * b * 8 / 1e10 * 1e3, 2 * b * 8 / 1e11 * 1e3
    }
    printf "\nmedians of %d rounds\n", rounds
    for (i = 1; i <= nw; i++) print warnings[i]
  }' "$out"
