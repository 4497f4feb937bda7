#!/usr/bin/env bash
# Data parallelism across hosts, on one machine. A hostfile names two hosts, node-a and node-b, and the launcher reaches
# them through ssh-here.sh, which runs what it would run over ssh on this machine; so each launcher starts a job on
# two nodes as on a cluster: a daemon per node (Open MPI's orted, Hydra's proxy), one rank on each, Open MPI's ranks
# talking over TCP (--mca btl tcp,self), not shared memory. Checks:
#  1. two Open MPI nodes save the model of two ranks on one host, byte for byte, and each rank, alone on its node,
#     takes all of its node's cores (the header's threads);
#  2. the same under MPICH's mpiexec (-launcher ssh -launcher-exec ssh-here.sh);
#  3. a checkpoint only where rank 0 runs: rank 1 starts in another directory, as on a host without a shared file
#     system, and `--resume run.ckpt` still continues the run, saving the model of the run without a stop.
# Run by run-mpirun-test.sh after the Release build, with openmpi-bin and mpich installed. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/mpi/common.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'node-a slots=1\nnode-b slots=1\n' >"$dir/openmpi-hosts"
printf 'node-a:1\nnode-b:1\n' >"$dir/mpich-hosts"
# No binding: each node's one rank would otherwise be bound to its node's first core, here the same core for both.
# No shared topology: a node daemon (orted) once crashed writing hwloc's topology into the shared-memory hole it had
# chosen (a segfault in hwloc_shmem_topology_write, Open MPI 4.1.4); vmhole none makes each process read its own.
openmpi=(mpirun --hostfile "$dir/openmpi-hosts" --mca plm_rsh_agent "$repo/tests/mpi/ssh-here.sh" --mca btl tcp,self --bind-to none
  --mca rtc_hwloc_vmhole none)
mpich=(mpiexec.mpich -f "$dir/mpich-hosts" -launcher ssh -launcher-exec "$repo/tests/mpi/ssh-here.sh")
args=(train --layers 32 --batch 100 --backend simd --seed 3 --no-progress)

echo "== two ranks on one host: the reference"
timeout 600 mpirun -np 2 --oversubscribe dotnet "$cli" "${args[@]}" --epochs 2 --save "$dir/one-host.json" 2>&1 | plain >"$dir/one-host.log" \
  || { cat "$dir/one-host.log"; fail "mpirun -np 2 on one host"; }

echo "== Open MPI on node-a and node-b over TCP"
timeout 600 "${openmpi[@]}" -np 2 dotnet "$cli" "${args[@]}" --epochs 2 --save "$dir/openmpi.json" 2>&1 | plain | tee "$dir/openmpi.log" \
  || fail "mpirun on two nodes"
grep -q 'data-parallel on 2 Open MPI ranks' "$dir/openmpi.log" || fail "the run does not say it ran on 2 Open MPI ranks"
threads=$(nproc)
grep -qE "backend simd \($threads threads?\)" "$dir/openmpi.log" || fail "a rank alone on its node did not take its node's $threads cores"
cmp "$dir/one-host.json" "$dir/openmpi.json" || fail "two nodes saved another model than two ranks on one host"
echo "two Open MPI nodes: the one-host model, byte for byte"

echo "== MPICH on node-a and node-b"
timeout 600 "${mpich[@]}" -n 2 dotnet "$cli" "${args[@]}" --epochs 2 --save "$dir/mpich.json" 2>&1 | tee "$dir/mpich.log" \
  || fail "mpiexec.mpich on two nodes"
grep -q 'data-parallel on 2 MPICH ranks' "$dir/mpich.log" || fail "the run does not say it ran on 2 MPICH ranks"
grep -qE "backend simd \($threads threads?\)" "$dir/mpich.log" || fail "an MPICH rank alone on its node did not take its node's $threads cores"
cmp "$dir/one-host.json" "$dir/mpich.json" || fail "two MPICH nodes saved another model than two ranks on one host"
echo "two MPICH nodes: the one-host model, byte for byte"

echo "== a checkpoint only where rank 0 runs"
mkdir "$dir/a" "$dir/b"
# one application context per node, each in its own working directory: relative paths name different files
on_nodes() { timeout 600 "${openmpi[@]}" -np 1 --host node-a -wdir "$dir/a" dotnet "$cli" "$@" : -np 1 --host node-b -wdir "$dir/b" dotnet "$cli" "$@"; }
on_nodes "${args[@]}" --epochs 1 --checkpoint run.ckpt 2>&1 | plain >"$dir/first.log" || { cat "$dir/first.log"; fail "the first epoch"; }
[ -f "$dir/a/run.ckpt" ] && [ ! -e "$dir/b/run.ckpt" ] || fail "rank 0 alone should have written run.ckpt, in its own directory"
on_nodes "${args[@]}" --epochs 2 --resume run.ckpt --save resumed.json 2>&1 | plain | tee "$dir/resumed.log" || fail "the resumed run"
grep -q '^resuming run.ckpt at epoch 2' "$dir/resumed.log" || fail "the run did not say it resumed"
cmp "$dir/one-host.json" "$dir/a/resumed.json" || fail "the resumed run saved another model than the run without a stop"
echo "resumed with the checkpoint on rank 0's node alone: the model of the run without a stop, byte for byte"
