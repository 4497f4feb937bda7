#!/usr/bin/env bash
# Data parallelism on real Open MPI, after the test suite has built Release (.ci/run calls this):
#  1. `mpirun -np 2 dotnet test` of the lockstep test: two MPI ranks step like one process at the global batch
#     within the tolerance rule, for every optimizer and loss on the CPU backends, and stay bit-identical; the
#     per-layer all-reduces (MPI_Iallreduce) take the flat all-reduce's steps bit for bit;
#  2. `mpirun -np 2 fastnet train --save` against one process's `fastnet train` (the difference is printed) and
#     against the same run on two in-process ranks, which must give the same model bit for bit; its final test score
#     against `fastnet eval` of the saved model, to the last digit; the same run with `--allreduce layers` must save
#     the same model, byte for byte;
#  3. `mpirun -np 3 fastnet train`, flat and per layer: three ranks end every epoch bit-identical (the trainer's
#     per-epoch parameter checksum, an error otherwise) and the two ways save the same model, byte for byte;
#  4. `mpirun -np 2 fastnet bench --data-parallel`: a step allocates nothing on rank 0's training thread, with the flat
#     all-reduce and with the per-layer ones (MPI_Iallreduce requests, made once and started again);
#  5. MPICH (the other MPI family, integer handles) under its own launcher, mpiexec.mpich: the lockstep test; train
#     saves Open MPI's model of step 2, byte for byte (two ranks sum a + b either way); 3 ranks flat and per layer;
#     nothing allocated per step; and Open MPI's library forced under MPICH's launcher is refused, not run as N
#     separate one-rank jobs;
#  6. hosts-test.sh: two ranks on two nodes (a hostfile, the daemons started through a stand-in for ssh, Open MPI over
#     TCP; and MPICH) save the one-host model, and a checkpoint present only where rank 0 runs resumes the run;
#  7. faults-test.sh: a rank killed with kill -9 (under Open MPI and MPICH), bad input on one rank, a divergence, SIGTERM to mpirun.
# Installs openmpi-bin and mpich when missing (as root, with apt-get). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
missing=()
command -v mpirun.openmpi >/dev/null || missing+=(openmpi-bin)
command -v mpiexec.mpich >/dev/null || missing+=(mpich)
if [ ${#missing[@]} -gt 0 ]; then
  # Debian gives Open MPI's mpirun the higher priority, so plain `mpirun` stays Open MPI's with both installed
  echo "== installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
source tests/mpi/common.sh
# --oversubscribe lets 2 ranks share fewer cores
mpi=(mpirun -np 2 --oversubscribe)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export FASTNET_MPIRUN_DIR=$dir

# A filtered dotnet test exits 0 when its test is skipped or not found: each run must show the test passed.
ran_one() { tee "$dir/test.log"; grep -qE 'Passed: +[1-9]' "$dir/test.log" && ! grep -qE 'Skipped: +[1-9]' "$dir/test.log"; }

echo "== mpirun -np 2: the lockstep test against one process"
lockstep=(dotnet test tests/FastNet.Tests -c Release --no-build
  --filter "FullyQualifiedName~DataParallelTests.MpiRanksStepLikeOneProcessAtTheGlobalBatch")
FASTNET_MPI_EXPECTED="Open MPI" timeout 600 "${mpi[@]}" "${lockstep[@]}" 2>&1 | plain | ran_one

echo "== mpirun -np 2 fastnet train, one process, two in-process ranks"
args=(train --layers 32 --batch 100 --epochs 3 --backend simd --seed 3 --no-progress)
printf '%s\n' "${args[@]}" >"$dir/args.txt"
timeout 600 "${mpi[@]}" dotnet "$cli" "${args[@]}" --save "$dir/mpi.json" 2>&1 | plain | tee "$dir/mpi.log"
# the final test score, sharded over the ranks, is one process's eval of the saved model to the last digit
dotnet "$cli" eval --model "$dir/mpi.json" --backend simd >"$dir/eval.log"
eval_line="test accuracy $(sed -nE 's/^accuracy (.*)/\1/p' "$dir/eval.log")  test loss $(sed -nE 's/^loss \([^)]*\) ([^ ]*).*/\1/p' "$dir/eval.log")"
grep -qxF "$eval_line" "$dir/mpi.log" || fail "eval of the saved model says: $eval_line"
echo "eval of the saved model: $eval_line"
timeout 600 "${mpi[@]}" dotnet "$cli" "${args[@]}" --allreduce layers --save "$dir/layers.json" 2>&1 | plain >"$dir/layers.log"
grep -q 'all-reduce layers' "$dir/layers.log" || { cat "$dir/layers.log"; fail "the run does not say it all-reduced per layer"; }
cmp "$dir/mpi.json" "$dir/layers.json" || fail "--allreduce layers saved another model than the flat all-reduce"
echo "--allreduce layers: the flat all-reduce's model, byte for byte"
dotnet "$cli" "${args[@]}" --save "$dir/one.json" | grep "test accuracy" | sed 's/^/one process: /'
dotnet test tests/FastNet.Tests -c Release --no-build \
  --filter "FullyQualifiedName~DataParallelCliTests.AnMpirunModelEqualsTheSameRunOnInProcessRanks" 2>&1 | ran_one

echo "== mpirun -np 3 fastnet train, flat and per layer"
for allreduce in flat layers; do
  timeout 600 mpirun -np 3 --oversubscribe dotnet "$cli" "${args[@]}" --allreduce "$allreduce" --save "$dir/np3-$allreduce.json" \
    2>&1 | plain >"$dir/np3-$allreduce.log" || { cat "$dir/np3-$allreduce.log"; fail "mpirun -np 3 ($allreduce)"; }
done
cmp "$dir/np3-flat.json" "$dir/np3-layers.json" || fail "on 3 ranks --allreduce layers saved another model than flat"
echo "3 ranks: every epoch's checksum agreed, and per layer saved the flat all-reduce's model, byte for byte"

echo "== mpirun -np 2 fastnet bench --data-parallel: bytes allocated per step"
timeout 600 "${mpi[@]}" dotnet "$cli" bench --data-parallel --allreduce flat,layers --backend simd --layers 64,32,10 \
  --batch 64 --repeats 1 --seconds 0.2 2>&1 | plain | tee "$dir/bench.log"
for allreduce in flat layers; do
  grep -qE "^custom simd ranks 2 .* allreduce $allreduce .* bytes_per_step 0\$" "$dir/bench.log" \
    || fail "a data-parallel step ($allreduce) allocates, or the bench printed no line for it"
done

echo "== MPICH: mpiexec.mpich -np 2, the lockstep test against one process"
# Hydra binds no rank by default: each rank then sees every core, and takes its share of them (one thread here)
mpich=(mpiexec.mpich -np 2)
FASTNET_MPI_EXPECTED=MPICH timeout 600 "${mpich[@]}" "${lockstep[@]}" 2>&1 | ran_one

echo "== MPICH: mpiexec.mpich -np 2 fastnet train saves Open MPI's model"
timeout 600 "${mpich[@]}" dotnet "$cli" "${args[@]}" --save "$dir/mpich.json" 2>&1 | tee "$dir/mpich.log"
grep -q 'data-parallel on 2 MPICH ranks' "$dir/mpich.log" || fail "the run does not say it ran on 2 MPICH ranks"
expected_threads=$(( $(nproc --all) / 2 > 1 ? $(nproc --all) / 2 : 1 ))
grep -qE "backend simd \($expected_threads threads?\)" "$dir/mpich.log" \
  || fail "an unbound rank of 2 did not take its share of the $(nproc --all) cores ($expected_threads threads)"
cmp "$dir/mpi.json" "$dir/mpich.json" || fail "MPICH's two ranks saved another model than Open MPI's"
echo "MPICH: Open MPI's model, byte for byte"
for allreduce in flat layers; do
  timeout 600 mpiexec.mpich -np 3 dotnet "$cli" "${args[@]}" --allreduce "$allreduce" --save "$dir/mpich3-$allreduce.json" \
    >"$dir/mpich3-$allreduce.log" 2>&1 || { cat "$dir/mpich3-$allreduce.log"; fail "mpiexec.mpich -np 3 ($allreduce)"; }
done
cmp "$dir/mpich3-flat.json" "$dir/mpich3-layers.json" || fail "on 3 MPICH ranks --allreduce layers saved another model than flat"
echo "MPICH, 3 ranks: every epoch's checksum agreed, and per layer saved the flat all-reduce's model, byte for byte"
timeout 600 "${mpich[@]}" dotnet "$cli" bench --data-parallel --allreduce flat,layers --backend simd --layers 64,32,10 \
  --batch 64 --repeats 1 --seconds 0.2 2>&1 | tee "$dir/mpich-bench.log"
for allreduce in flat layers; do
  grep -qE "^custom simd ranks 2 .* allreduce $allreduce .* bytes_per_step 0\$" "$dir/mpich-bench.log" \
    || fail "a data-parallel step on MPICH ($allreduce) allocates, or the bench printed no line for it"
done

echo "== MPICH's launcher with Open MPI's library: refused"
if FASTNET_MPI_LIBRARY=libmpi.so.40 timeout 600 "${mpich[@]}" dotnet "$cli" "${args[@]}" >"$dir/wrong.log" 2>&1; then
  cat "$dir/wrong.log"; fail "Open MPI's library ran under MPICH's launcher"
fi
# Hydra ends the other rank as soon as one exits non-zero, so one message, or both, gets printed
grep -q 'the launcher started 2 ranks (PMI_SIZE=2), but MPI on Open MPI (libmpi.so.40) counts 1' "$dir/wrong.log" \
  || { cat "$dir/wrong.log"; fail "no rank said why"; }
grep -q '^epoch' "$dir/wrong.log" && fail "a rank trained before the refusal"
echo "refused before training"

echo "== across hosts: two nodes of a hostfile, Open MPI and MPICH"
tests/mpi/hosts-test.sh

echo "== faults: kill -9 of a rank, bad input on one rank, SIGTERM to mpirun"
tests/mpi/faults-test.sh
