#!/usr/bin/env bash
# Every run of the large-batch experiment on this machine, in the order run (README.md has the results). The runs
# use run.sh of the earlier experiment (../../2-core-avx512/large-batch/run.sh) with OUT set to this folder, one at a
# time, under nice -n 10.
# Build first: dotnet build FastNet.sln -c Release; fetch: fastnet data fetch mnist; fastnet data fetch fashion-mnist
set -euo pipefail
export OUT=$(cd "$(dirname "$0")" && pwd)
r="nice -n 10 $OUT/../../2-core-avx512/large-batch/run.sh"
# Fashion-MNIST, 30 epochs, batch 8192, selection on the validation split (54,000 trained on: 7 steps an epoch, 210
# in all), seeds 1 and 2, warm-up 16 steps: Adam, LAMB and LARS with the rate decayed over the run
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.032-cos-e30-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.016-cos-e30-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.064-cos-e30-s$s --optimizer adam --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.032-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.016-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.4-tc0.04-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.8-tc0.04-poly2-e30-s$s --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule poly:2 --validation-fraction 0.1
done
# LAMB at a larger rate and with poly:2, Adam at a constant rate dropped by 10 after epoch 24, LARS at a smaller rate
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/lamb-b8192-lr0.048-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.064-wd0.01-poly2-e30-s$s --optimizer lamb --batch 8192 --lr-scaling linear:128 --warmup 16 --schedule poly:2 --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.032-step24-0.1-e30-s$s --optimizer adam --batch 8192 --lr 0.0005 --lr-scaling linear:128 --warmup 16 --schedule step:24:0.1 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.2-tc0.04-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.003125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine --validation-fraction 0.1
done
# LAMB around 0.032; MNIST, 30 epochs, LARS around the 10-epoch pick (12, τ 0.004, cosine); the Fashion-MNIST
# baseline at 30 epochs on the validation split (a reference, not a candidate)
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/lamb-b8192-lr0.024-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.000375 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.04-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.000625 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.004-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr6-tc0.004-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.09375 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.004 --schedule cosine --validation-fraction 0.1
  $r mnist val/lars-b8192-lr12-tc0.002-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --schedule cosine --validation-fraction 0.1
  $r fashion-mnist val/adam-b128-e30-s$s --optimizer adam --batch 128 --validation-fraction 0.1
done
# Adam with the drop after epoch 24 at other rates, LARS at a larger rate with cosine decay
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/adam-b8192-lr0.048-step24-0.1-e30-s$s --optimizer adam --batch 8192 --lr 0.00075 --lr-scaling linear:128 --warmup 16 --schedule step:24:0.1 --validation-fraction 0.1
  $r fashion-mnist val/adam-b8192-lr0.016-step24-0.1-e30-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --schedule step:24:0.1 --validation-fraction 0.1
  $r fashion-mnist val/lars-b8192-lr0.8-tc0.04-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.0125 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine --validation-fraction 0.1
done
# Finals, 30 epochs: the baselines (Adam at batch 128, lr 0.001, constant; fixed, not selected), full 60,000, seeds 1, 2, 3 (curves for seed 1)
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b128-e30-s$s --optimizer adam --batch 128
  $r mnist final/adam-b128-e30-s$s --optimizer adam --batch 128
done
# Finals, 30 epochs: the picks (highest mean validation accuracy of their optimizer), full 60,000, seeds 1, 2, 3 (curves for seed 1)
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/lamb-b8192-lr0.024-wd0.01-cos-e30-s$s --optimizer lamb --batch 8192 --lr 0.000375 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01
  $r fashion-mnist final/adam-b8192-lr0.016-step24-0.1-e30-s$s --optimizer adam --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --schedule step:24:0.1
  $r fashion-mnist final/lars-b8192-lr0.4-tc0.04-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.00625 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.04 --schedule cosine
  $r mnist final/lars-b8192-lr12-tc0.002-cos-e30-s$s --optimizer lars --batch 8192 --lr 0.1875 --lr-scaling linear:128 --warmup 16 --trust-coefficient 0.002 --schedule cosine
done
# Fashion-MNIST, 30 epochs, per-feature standardization (--scale standardize) instead of division by 255, on both
# sides: LAMB at 8192 selected as above (two rates), and the baseline's finals with the same preprocessing
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/lamb-b8192-lr0.024-wd0.01-cos-std-e30-s$s --optimizer lamb --batch 8192 --lr 0.000375 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --scale standardize --validation-fraction 0.1
  $r fashion-mnist val/lamb-b8192-lr0.016-wd0.01-cos-std-e30-s$s --optimizer lamb --batch 8192 --lr 0.00025 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --scale standardize --validation-fraction 0.1
done
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/adam-b128-std-e30-s$s --optimizer adam --batch 128 --scale standardize
done
# Final of the standardized LAMB pick (0.024: validation 89.33% against 89.17% at 0.016), full 60,000, seeds 1, 2, 3
for s in 1 2 3; do
  export SEED=$s EPOCHS=30 PLOT=$([ $s = 1 ] && echo 1 || echo 0)
  $r fashion-mnist final/lamb-b8192-lr0.024-wd0.01-cos-std-e30-s$s --optimizer lamb --batch 8192 --lr 0.000375 --lr-scaling linear:128 --warmup 16 --schedule cosine --weight-decay 0.01 --scale standardize
done
# The standardized baseline on the validation split (a reference, not a candidate)
for s in 1 2; do
  export SEED=$s EPOCHS=30 PLOT=0
  $r fashion-mnist val/adam-b128-std-e30-s$s --optimizer adam --batch 128 --scale standardize --validation-fraction 0.1
done
