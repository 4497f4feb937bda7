#!/usr/bin/env bash
# Faults of a data-parallel run under a real `mpirun -np 2` (run-mpirun-test.sh calls this after its build):
#  1. rank 0 (the one writing checkpoints) killed with kill -9 after its first checkpoint: mpirun ends non-zero within
#     60 s naming the killed rank, and the checkpoint resumes in one process; with the flat all-reduce and with the
#     per-layer ones (a rank blocked in MPI_Wait of an MPI_Iallreduce must be ended too). The same kill under MPICH's
#     launcher (mpiexec.mpich), which must end the job as well;
#  2. an unreadable data file on rank 1 alone: every rank stops within 60 s with rank 1's message, under mpirun and
#     under mpiexec.mpich; a run that diverges: rank 0's message once, every rank ends without MPI_Abort;
#  3. SIGTERM to mpirun: the ranks stop at the same batch, rank 0 saves the checkpoint, and the epoch resumed in one
#     process reports the loss of the same epoch trained without a stop (the running sums of both ranks were kept);
#     with the flat all-reduce and with the per-layer ones, whose last carries the stop; and SIGTERM to MPICH's
#     mpiexec.mpich (which passes it on to the ranks at once) with the flat one. These runs train with plain SGD
#     at lr 1e-5 and batch 20, so the loss compared is still far from 0 when the stop comes (0.24 after 4,367 epochs
#     at lr 1e-4 in one clean-clone run, so lr 1e-5 for a margin on faster machines). Then SIGTERM to rank 1 alone
#     (mpirun ends the job when a rank exits non-zero): rank 0 must still save, and say another rank was signalled: a run that had trained to a loss
#     near 0 would compare two near-zero numbers, which says little, so a loss below 0.01 fails.
#     mpirun answers SIGTERM with SIGCONT to the ranks, odls_base_sigkill_timeout seconds later SIGTERM, as long again
#     later SIGKILL, reading none of their output meanwhile. The run gives them 10 s (the README's advice); its short
#     epochs print lines much faster than the ranks' terminal holds them for 10 s, so a rank whose training waited for
#     its output to be read would never reach the stop and fail here.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/mpi/common.sh
dir=$(mktemp -d)
launcher=
# a launcher still running when the script stops is ended first, so no rank writes into a removed directory
trap 'if [[ -n $launcher ]]; then kill -9 "$launcher" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
# runs start in the scratch directory: a rescue checkpoint without --checkpoint (fastnet-interrupted.ckpt) lands there
cd "$dir"
args=(train --layers 32 --batch 100 --backend simd --seed 5 --no-progress)

# mpirun -np 2 [launcher options] fastnet train … --checkpoint (or the launcher in `launch`), in the background; waits
# for the first checkpoint. So many epochs that no run ends by itself in the 10 s mpirun waits before it passes SIGTERM
# on (on an idle machine 1000 epochs of this net took less, and the run ended without a stop to report).
launch=(mpirun -np 2 --oversubscribe)
start_run() {
  rm -f "$dir/ck.ckpt"
  "${launch[@]}" "$@" dotnet "$cli" "${args[@]}" --epochs 1000000 --checkpoint "$dir/ck.ckpt" >"$dir/run.log" 2>&1 &
  launcher=$!
  for _ in $(seq 120); do [[ -f $dir/ck.ckpt ]] && return; kill -0 "$launcher" 2>/dev/null || break; sleep 1; done
  plain <"$dir/run.log"
  fail "no checkpoint from mpirun"
}

# waits at most 60 s for the launcher; sets status to its exit code
bounded_wait() {
  for _ in $(seq 60); do kill -0 "$launcher" 2>/dev/null || break; sleep 1; done
  if kill -0 "$launcher" 2>/dev/null; then
    kill -9 "$launcher"
    fail "mpirun still running 60 s after the fault"
  fi
  status=0
  wait "$launcher" || status=$?
}

# the epoch the checkpoint resumes at (its position's epoch + 1, as `train --resume` counts) and the batch, read from
# its JSON header; the resumes that follow load it (a resume with --epochs below what it trained is refused)
resume_epoch() {
  grep -aoE '"position":\{"epoch":[0-9]+,"batch":[0-9]+' "$dir/ck.ckpt" \
    | sed -E 's/.*"epoch":([0-9]+),"batch":([0-9]+)/\1 \2/' | { read -r e b && echo "$((e + 1)) $b"; }
}

for allreduce in flat layers; do
  echo "== kill -9 of rank 0 after its first checkpoint, --allreduce $allreduce"
  args=(train --layers 32 --batch 100 --backend simd --seed 5 --no-progress --allreduce "$allreduce")
  start_run
  rank0=
  for pid in $(pgrep -P "$launcher"); do
    if grep -qzx OMPI_COMM_WORLD_RANK=0 "/proc/$pid/environ"; then rank0=$pid; fi
  done
  [[ -n $rank0 ]] || fail "rank 0's process not found"
  kill -9 "$rank0"
  bounded_wait
  plain <"$dir/run.log" | tail -4
  ((status != 0)) || fail "mpirun exited 0 after a rank was killed"
  grep -q "rank 0 .* exited on signal 9" "$dir/run.log" || fail "mpirun did not name the killed rank"
  read -r epoch batch < <(resume_epoch)
  dotnet "$cli" train --resume "$dir/ck.ckpt" --epochs "$epoch" --no-progress | grep -E "^epoch|^test" \
    || fail "the checkpoint does not resume"
done

echo "== MPICH: kill -9 of rank 0 after its first checkpoint"
args=(train --layers 32 --batch 100 --backend simd --seed 5 --no-progress)
launch=(mpiexec.mpich -np 2)
start_run
launch=(mpirun -np 2 --oversubscribe)
rank0=
# Hydra starts the ranks under a proxy process: rank 0 is the rank of this run whose environment says PMI_RANK=0
for pid in $(pgrep -f "$cli"); do
  if grep -qzx PMI_RANK=0 "/proc/$pid/environ" 2>/dev/null; then rank0=$pid; fi
done
[[ -n $rank0 ]] || fail "MPICH's rank 0 not found"
kill -9 "$rank0"
bounded_wait
tail -8 "$dir/run.log"
((status != 0)) || fail "mpiexec.mpich exited 0 after a rank was killed"
grep -q "BAD TERMINATION" "$dir/run.log" || fail "mpiexec.mpich did not report the killed rank"
read -r epoch batch < <(resume_epoch)
dotnet "$cli" train --resume "$dir/ck.ckpt" --epochs "$epoch" --no-progress | grep -E "^epoch|^test" \
  || fail "the checkpoint does not resume"

printf 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n' >"$dir/good.csv"
for launcher_name in mpirun mpiexec.mpich; do
  echo "== an unreadable data file on rank 1, $launcher_name"
  extra=()
  [[ $launcher_name == mpirun ]] && extra=(--oversubscribe)
  status=0
  timeout 60 "$launcher_name" "${extra[@]}" -np 1 dotnet "$cli" train --data "$dir/good.csv" --no-progress \
    : -np 1 dotnet "$cli" train --data "$dir/missing.csv" --no-progress >"$dir/bad.log" 2>&1 || status=$?
  plain <"$dir/bad.log" | head -4 # Open MPI's own banner (MPI_ABORT was invoked on rank 1) is sometimes cut short
  ((status != 0 && status != 124)) || fail "$launcher_name exited $status with bad input on one rank"
  grep -q "fastnet: error on rank 1: .*missing.csv: file not found" "$dir/bad.log" || fail "rank 1's message is missing"
done

# Divergence is judged on the all-reduced loss, so every rank sees it at the same batch: rank 0 alone says why, once,
# and every rank exits 1 by itself. An MPI_Abort here (the answer to one rank's error) printed the launcher's abort
# banner and could kill rank 0 while it wrote the message.
for launcher_name in mpirun mpiexec.mpich; do
  echo "== divergence (lr 1e6), $launcher_name"
  extra=()
  [[ $launcher_name == mpirun ]] && extra=(--oversubscribe)
  status=0
  timeout 60 "$launcher_name" "${extra[@]}" -np 2 dotnet "$cli" train --layers 32 --batch 100 --lr 1e6 --epochs 3 \
    --backend simd --seed 5 --no-progress --save "$dir/diverged.json" >"$dir/diverged.log" 2>&1 || status=$?
  plain <"$dir/diverged.log" | tail -4
  ((status != 0 && status != 124)) || fail "$launcher_name exited $status after the run diverged"
  [[ $(grep -c "training diverged" "$dir/diverged.log") == 1 ]] || fail "the divergence was not reported once"
  grep -q "fastnet: error: training diverged in epoch 1 .*the model was not saved to .*diverged.json" "$dir/diverged.log" \
    || fail "rank 0's divergence message is missing or cut short"
  ! grep -qi "MPI_ABORT" "$dir/diverged.log" || fail "a rank aborted the job after the ranks agreed it diverged"
  [[ ! -e $dir/diverged.json ]] || fail "a diverged model was saved"
done

for case in flat layers mpich-flat rank1-flat; do
  allreduce=${case#*-}
  args=(train --layers 32 --batch 20 --optimizer sgd --lr 1e-5 --backend simd --seed 5 --no-progress --allreduce "$allreduce")
  if [[ $case == mpich-* ]]; then
    echo "== MPICH: SIGTERM to mpiexec.mpich, --allreduce $allreduce"
    launch=(mpiexec.mpich -np 2)
    start_run
    launch=(mpirun -np 2 --oversubscribe)
  elif [[ $case == rank1-* ]]; then
    # as a scheduler that signals the ranks themselves does: rank 1 stops first, and mpirun ends the whole job as soon
    # as one rank exits non-zero, so rank 1 must not exit before rank 0 has saved
    echo "== SIGTERM to rank 1 alone, --allreduce $allreduce"
    start_run
  else
    echo "== SIGTERM to mpirun, --allreduce $allreduce"
    start_run --mca odls_base_sigkill_timeout 10
  fi
  if [[ $case == rank1-* ]]; then
    rank1=
    for pid in $(pgrep -P "$launcher"); do
      if grep -qzx OMPI_COMM_WORLD_RANK=1 "/proc/$pid/environ"; then rank1=$pid; fi
    done
    [[ -n $rank1 ]] || fail "rank 1's process not found"
    kill -TERM "$rank1"
  else
    kill -TERM "$launcher"
  fi
  bounded_wait
  plain <"$dir/run.log" | grep "interrupted" || { plain <"$dir/run.log" | tail -20; fail "no rank reported the stop"; }
  [[ $case != rank1-* ]] || grep -q "interrupted (a signal to another rank)" "$dir/run.log" \
    || fail "rank 0 did not say that another rank's signal stopped the run"

  # mpiexec.mpich's own exit status after it passed SIGTERM on is 0 or 143 from run to run (5 tries: 0, 0, 143, 143,
  # 143) while each rank exits 143, so only Open MPI's launcher status is required to report the stop
  [[ $case == mpich-* ]] || ((status != 0)) || fail "mpirun exited 0 after SIGTERM"
  read -r epoch batch < <(resume_epoch)
  echo "checkpoint at epoch $epoch, batch $batch"
  # G7 writes a loss below 1e-4 (a run that got through thousands of epochs before the stop) with an exponent
  resumed=$(dotnet "$cli" train --resume "$dir/ck.ckpt" --epochs "$epoch" --no-progress | sed -nE "s/^epoch +$epoch\/$epoch +loss ([0-9.]+(E[-+]?[0-9]+)?) .*/\1/p")
  whole=$(dotnet "$cli" "${args[@]}" --epochs "$epoch" | sed -nE "s/^epoch +$epoch\/$epoch +loss ([0-9.]+(E[-+]?[0-9]+)?) .*/\1/p")
  echo "epoch $epoch: loss $resumed resumed from the checkpoint, $whole trained without a stop in one process"
  # relative 1e-4, plus 8 float epsilons (1e-6) absolute: a run thousands of epochs long ends with a loss near 0, the
  # -log of probabilities rounded to float, which carry an absolute error of a few epsilons whatever the loss's size
  # (8.5E-08 against 0 was seen)
  awk -v a="$resumed" -v b="$whole" 'BEGIN { d = a - b; exit !(a != "" && b != "" && (d < 0 ? -d : d) <= 1e-4 * b + 1e-6) }' \
    || fail "the resumed epoch's loss differs from the run without a stop"
  awk -v a="$resumed" 'BEGIN { exit !(a > 0.01) }' || fail "the loss compared, $resumed, is too near 0 to tell a difference"
done
[[ ! -e $repo/fastnet-interrupted.ckpt ]] || fail "a run left fastnet-interrupted.ckpt in the repository"
echo "faults: all passed"
