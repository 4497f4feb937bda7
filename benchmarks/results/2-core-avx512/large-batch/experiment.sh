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
