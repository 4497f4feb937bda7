#!/usr/bin/env bash
# Every run of the large-batch experiment, grouped by dataset, each group in the order tried (README.md has the results).
# Build first: dotnet build src/FastNet.Cli -c Release; fetch: fastnet data fetch mnist; fastnet data fetch fashion-mnist
set -euo pipefail
r=$(dirname "$0")/run.sh
# small-batch baselines (Adam, torch defaults, constant learning rate)
$r mnist adam-b128 --optimizer adam --batch 128
$r fashion-mnist adam-b128 --optimizer adam --batch 128
# MNIST, batch 8192: 8 steps per epoch, 80 in all; warm-up 16 steps (2 epochs)
$r mnist adam-b8192-lr0.064 --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16
$r mnist adam-b8192-lr0.008 --optimizer adam --batch 8192 --lr 0.001 --lr-scaling linear:1024 --warmup 16
$r mnist lamb-b8192-lr0.064 --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16
$r mnist lars-b8192-lr64 --optimizer lars --batch 8192 --lr-scaling linear:128 --warmup 16
$r mnist lars-b8192-lr8 --optimizer lars --batch 8192 --lr-scaling linear:1024 --warmup 16
$r mnist lamb-b8192-lr0.32 --optimizer lamb --batch 8192 --lr 0.005 --lr-scaling linear:128 --warmup 16 || true  # diverges
$r mnist lamb-b8192-lr0.16 --optimizer lamb --batch 8192 --lr 0.0025 --lr-scaling linear:128 --warmup 16 || true # diverges
$r mnist lars-b8192-lr16 --optimizer lars --batch 8192 --lr-scaling linear:512 --warmup 16
$r mnist lars-b8192-lr32 --optimizer lars --batch 8192 --lr-scaling linear:256 --warmup 16
$r mnist adam-b8192-lr0.032 --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16
$r mnist lamb-b8192-lr0.064-cos --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine
$r mnist lamb-b8192-lr0.1-cos --optimizer lamb --batch 8192 --lr 0.0016 --lr-scaling linear:128 --warmup 16 --schedule cosine
$r mnist lamb-b8192-lr0.16-w40-cos --optimizer lamb --batch 8192 --lr 0.0025 --lr-scaling linear:128 --warmup 40 --schedule cosine
$r mnist lars-b8192-lr16-cos --optimizer lars --batch 8192 --lr-scaling linear:512 --warmup 16 --schedule cosine
$r mnist adam-b8192-lr0.064-cos --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine
$r mnist lars-b8192-lr24 --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16
$r mnist lars-b8192-lr16-w8 --optimizer lars --batch 8192 --lr-scaling linear:512 --warmup 8
$r mnist lamb-b8192-lr0.032 --optimizer lamb --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16
$r mnist lamb-b8192-lr0.032-cos --optimizer lamb --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --schedule cosine
$r mnist lamb-b8192-lr0.064-wd0.01-cos --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01
$r mnist lars-b8192-lr1.6-tc0.01 --optimizer lars --batch 8192 --lr 0.025 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.01
# Fashion-MNIST, batch 8192: the MNIST picks, then a few more
$r fashion-mnist adam-b8192-lr0.064 --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16
$r fashion-mnist lars-b8192-lr24 --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16
$r fashion-mnist lamb-b8192-lr0.064-wd0.01-cos --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01
$r fashion-mnist adam-b8192-lr0.032 --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16
$r fashion-mnist lars-b8192-lr8 --optimizer lars --batch 8192 --lr-scaling linear:1024 --warmup 16
$r fashion-mnist lamb-b8192-lr0.1-wd0.01-cos --optimizer lamb --batch 8192 --lr 0.0016 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01
$r fashion-mnist lars-b8192-lr1.6-tc0.01 --optimizer lars --batch 8192 --lr 0.025 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.01
$r fashion-mnist lars-b8192-lr0.8-tc0.02 --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.02
# MNIST, 2026-12-02 (the simd backend's own TrustRatioStep): reruns, warm-up lengths, LARS with a larger τ
$r mnist lars-b8192-lr24-rerun --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16
$r mnist lamb-b8192-lr0.064-wd0.01-cos-rerun --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01
$r mnist lars-b8192-lr24-w40 --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 40
$r mnist lamb-b8192-lr0.064-wd0.01-cos-w40 --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 40 --schedule cosine --weight-decay 0.01
$r mnist lars-b8192-lr16-w40 --optimizer lars --batch 8192 --lr-scaling linear:512 --warmup 40
$r mnist lamb-b8192-lr0.048-wd0.01-cos-w40 --optimizer lamb --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 40 --schedule cosine --weight-decay 0.01
$r mnist lamb-b8192-lr0.064-wd0.01-cos-w8 --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 8 --schedule cosine --weight-decay 0.01
$r mnist lamb-b8192-lr0.064-wd0.01-cos-w4 --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 4 --schedule cosine --weight-decay 0.01
$r mnist lamb-b8192-lr0.08-wd0.01-cos-w8 --optimizer lamb --batch 8192 --lr 0.00125 --lr-scaling linear:128 --warmup 8 --schedule cosine --weight-decay 0.01
$r mnist lars-b8192-lr24-w8 --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 8
$r mnist lars-b8192-lr12-tc0.002 --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002
$r mnist lamb-b8192-lr0.064-wd0.01-cos-w0 --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01
$r mnist lars-b8192-lr24-w24 --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 24
# 2026-12-02, selection on a validation split, 3 seeds. Selection: --validation-fraction 0.1 (54,000 train, 6,000
# validation; at batch 8192 that is 7 steps an epoch), seeds 1 and 2, logs under DATASET/val/; the pick is the highest
# mean validation accuracy after the last epoch. Finals: the full 60,000, seeds 1, 2, 3, logs under DATASET/final/
# (curves for seed 1).
for s in 1 2; do
  export SEED=$s PLOT=0
  $r mnist val/adam-b8192-lr0.064-s$s --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r mnist val/adam-b8192-lr0.032-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r mnist val/adam-b8192-lr0.096-s$s --optimizer adam --batch 8192 --lr 0.0015 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr24-s$s --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.002-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr6-tc0.004-s$s --optimizer lars --batch 8192 --lr 0.09375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --validation-fraction 0.1
  $r mnist val/lamb-b8192-lr0.048-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr 0.00075 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r mnist val/lamb-b8192-lr0.064-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r mnist val/lamb-b8192-lr0.08-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr 0.00125 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
done
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r mnist final/adam-b128-s$s --optimizer adam --batch 128
  $r mnist final/adam-b8192-lr0.032-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16
  $r mnist final/lars-b8192-lr12-tc0.002-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002
  $r mnist final/lamb-b8192-lr0.064-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01
done
# Fashion-MNIST: the baseline's 3 seeds, then the selection at batch 8192 and at batch 2048 (warm-up 60 steps, about
# 2 epochs at 30 steps an epoch), seeds 1 and 2
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b128-s$s --optimizer adam --batch 128
done
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.016-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.032-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.048-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.048-wd0.01-cos-s$s --optimizer lamb --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-cos-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
done
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b2048-lr0.004-s$s --optimizer adam --batch 2048 --lr 0.00025 --lr-scaling linear:128 --warmup 60 --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.008-s$s --optimizer adam --batch 2048 --lr 0.0005 --lr-scaling linear:128 --warmup 60 --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.016-s$s --optimizer adam --batch 2048 --lr-scaling linear:128 --warmup 60 --validation-fraction 0.1
done
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/lars-b8192-lr0.4-tc0.04-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.8-tc0.02-s$s --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.02 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr1.6-tc0.01-s$s --optimizer lars --batch 8192 --lr 0.025 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.01 --validation-fraction 0.1
done
# Fashion-MNIST finals: the picks, 3 seeds
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b8192-lr0.048-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16
  $r fashion-mnist final/lamb-b8192-lr0.064-wd0.01-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01
done
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b2048-lr0.008-s$s --optimizer adam --batch 2048 --lr 0.0005 --lr-scaling linear:128 --warmup 60
  $r fashion-mnist final/lars-b8192-lr0.4-tc0.04-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04
done
# Fashion-MNIST, 30 epochs: the baseline against the 10-epoch Adam and LAMB picks at 8192 (not re-selected at 30 epochs)
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b128-e30-s$s --optimizer adam --batch 128
  $r fashion-mnist final/adam-b8192-lr0.048-e30-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16
done
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/lamb-b8192-lr0.064-wd0.01-cos-w0-e30-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01
done
# 2026-12-02, later: the levers not yet tried, selected the same way (validation split, seeds 1 and 2). Fashion-MNIST:
# Adam at 8192 with warm-up and cosine decay; LAMB with β2 0.99; Adam at 4096 and 2048 with cosine decay; LARS with
# cosine decay. MNIST: LARS with cosine decay.
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.048-cos-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.096-cos-s$s --optimizer adam --batch 8192 --lr 0.0015 --lr-scaling linear:128 --warmup 16 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-b2-0.99-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --weight-decay 0.01 --beta2 0.99 --validation-fraction 0.1
done
# Fashion-MNIST: Adam with β2 0.99 / 0.95, batches 4096 and 2048; LARS with cosine decay; MNIST: LARS with cosine decay
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.016-b2-0.99-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --beta2 0.99 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.016-b2-0.95-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --beta2 0.95 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.032-b2-0.95-cos-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --beta2 0.95 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b4096-lr0.016-s$s --optimizer adam --batch 4096 --lr 0.0005 --lr-scaling linear:128 --warmup 30 --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.008-cos-s$s --optimizer adam --batch 2048 --lr 0.0005 --lr-scaling linear:128 --warmup 60 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.4-tc0.04-cos-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.002-cos-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --schedule cosine --validation-fraction 0.1
done
# a rate drop by 10 after epoch 8 (step:8:0.1), β1 0.8; the baseline on the validation split (a reference, not a candidate); MNIST LARS with a larger τ
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.048-step8-0.1-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.032-b2-0.99-step8-0.1-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --beta2 0.99 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.016-b1-0.8-b2-0.99-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --beta1 0.8 --beta2 0.99 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.048-wd0.01-step8-0.1-w8-s$s --optimizer lamb --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 8 --schedule step:8:0.1 --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/adam-b4096-lr0.016-step8-0.1-s$s --optimizer adam --batch 4096 --lr 0.0005 --lr-scaling linear:128 --warmup 30 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b128-s$s --optimizer adam --batch 128 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr24-tc0.002-cos-s$s --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.002-step8-0.1-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --schedule step:8:0.1 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.004-cos-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine --validation-fraction 0.1
done
# around the best so far: the LARS τ and rate, Adam's warm-up and rate at 8192, LAMB without weight decay, the step drop at 4096 and 2048
for s in 1 2; do
  export SEED=$s PLOT=0
  $r mnist val/lars-b8192-lr12-tc0.008-cos-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.008 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr6-tc0.008-cos-s$s --optimizer lars --batch 8192 --lr 0.09375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.008 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr24-tc0.004-cos-s$s --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.004-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.048-step8-0.1-w8-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 8 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.064-step8-0.1-s$s --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b4096-lr0.032-step8-0.1-s$s --optimizer adam --batch 4096 --lr-scaling linear:128 --warmup 30 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.008-step8-0.1-s$s --optimizer adam --batch 2048 --lr 0.0005 --lr-scaling linear:128 --warmup 60 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.016-step8-0.1-s$s --optimizer adam --batch 2048 --lr-scaling linear:128 --warmup 60 --schedule step:8:0.1 --validation-fraction 0.1
done
# the grids' edges: Adam at 8192 0.032 with the drop, LAMB 0.08, Adam at 4096 0.064, LAMB at 4096, Adam at 2048 0.032, LARS 8 τ 0.004 on MNIST
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.032-step8-0.1-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.08-cos-w0-s$s --optimizer lamb --batch 8192 --lr 0.00125 --lr-scaling linear:128 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b4096-lr0.064-step8-0.1-s$s --optimizer adam --batch 4096 --lr 0.002 --lr-scaling linear:128 --warmup 30 --schedule step:8:0.1 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b4096-lr0.032-cos-w0-s$s --optimizer lamb --batch 4096 --lr-scaling linear:128 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b2048-lr0.032-step8-0.1-s$s --optimizer adam --batch 2048 --lr 0.002 --lr-scaling linear:128 --warmup 60 --schedule step:8:0.1 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr8-tc0.004-cos-s$s --optimizer lars --batch 8192 --lr 0.125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine --validation-fraction 0.1
done
# Adam at 4096: past the grid's largest rate
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/adam-b4096-lr0.096-step8-0.1-s$s --optimizer adam --batch 4096 --lr 0.003 --lr-scaling linear:128 --warmup 30 --schedule step:8:0.1 --validation-fraction 0.1
done
# Finals of the second round: the new picks, full 60,000, seeds 1, 2, 3 (curves for seed 1)
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r mnist final/lars-b8192-lr12-tc0.004-cos-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine
  $r fashion-mnist final/adam-b8192-lr0.048-step8-0.1-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule step:8:0.1
  $r fashion-mnist final/lamb-b8192-lr0.064-cos-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --schedule cosine
  $r fashion-mnist final/lars-b8192-lr0.4-tc0.04-cos-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine
  $r fashion-mnist final/adam-b4096-lr0.064-step8-0.1-s$s --optimizer adam --batch 4096 --lr 0.002 --lr-scaling linear:128 --warmup 30 --schedule step:8:0.1
  $r fashion-mnist final/adam-b2048-lr0.016-step8-0.1-s$s --optimizer adam --batch 2048 --lr-scaling linear:128 --warmup 60 --schedule step:8:0.1
done
# Third round: polynomial decay after the warm-up (--schedule poly:2, the LARS paper's), warm-up 16. MNIST LARS around the cosine pick (12, τ 0.004)
for s in 1 2; do
  export SEED=$s PLOT=0
  $r mnist val/lars-b8192-lr12-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr16-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.25 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.004-wd5e-4-poly2-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --weight-decay 0.0005 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr8-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
done
# Fashion-MNIST at 8192 with poly:2, warm-up 16: LAMB 0.064 with λ 0.01 and λ 0, LARS 0.4 τ 0.04
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-poly2-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --weight-decay 0.01 --schedule poly:2 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-poly2-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule poly:2 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.4-tc0.04-poly2-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule poly:2 --validation-fraction 0.1
done
# MNIST LARS with poly:2: validation rose with the rate (8 < 12 < 16) and fell with weight decay; larger rates at τ 0.004
for s in 1 2; do
  export SEED=$s PLOT=0
  $r mnist val/lars-b8192-lr20-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.3125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr24-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr32-tc0.004-poly2-s$s --optimizer lars --batch 8192 --lr 0.5 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule poly:2 --validation-fraction 0.1
done
# Fashion-MNIST with poly:2 below the cosine picks: the larger rates (poly:2 averages a third of η over the run, cosine a half), and LAMB without warm-up as its picks
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/lars-b8192-lr0.8-tc0.04-poly2-s$s --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule poly:2 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.096-wd0.01-poly2-s$s --optimizer lamb --batch 8192 --lr 0.0015 --lr-scaling linear:128 --warmup 16 --weight-decay 0.01 --schedule poly:2 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-poly2-w0-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --weight-decay 0.01 --schedule poly:2 --validation-fraction 0.1
done
# MNIST LARS with poly:2: 16 τ 0.004 ties the cosine pick on validation (97.29%); the same weight step 0.064 with a smaller rate for the biases, and 0.072
for s in 1 2; do
  export SEED=$s PLOT=0
  $r mnist val/lars-b8192-lr8-tc0.008-poly2-s$s --optimizer lars --batch 8192 --lr 0.125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.008 --schedule poly:2 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.006-poly2-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.006 --schedule poly:2 --validation-fraction 0.1
done
# Fashion-MNIST with poly:2: validation rose with the rate for LARS (0.4 < 0.8) and LAMB (0.064 < 0.096); one step further each
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/lars-b8192-lr1.2-tc0.04-poly2-s$s --optimizer lars --batch 8192 --lr 0.01875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule poly:2 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.128-wd0.01-poly2-s$s --optimizer lamb --batch 8192 --lr 0.002 --lr-scaling linear:128 --warmup 16 --weight-decay 0.01 --schedule poly:2 --validation-fraction 0.1
done
# Fashion-MNIST LAMB with poly:2: still rising at 0.128; one step further
for s in 1 2; do
  export SEED=$s PLOT=0
  $r fashion-mnist val/lamb-b8192-lr0.16-wd0.01-poly2-s$s --optimizer lamb --batch 8192 --lr 0.0025 --lr-scaling linear:128 --warmup 16 --weight-decay 0.01 --schedule poly:2 --validation-fraction 0.1
done
# Finals of the third round: Fashion-MNIST LARS with poly:2 (validation 83.83% against the cosine pick's 83.52%), full 60,000, seeds 1, 2, 3 (curves for seed 1)
for s in 1 2 3; do
  export SEED=$s PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/lars-b8192-lr0.8-tc0.04-poly2-s$s --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule poly:2
done
