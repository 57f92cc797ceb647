#!/usr/bin/env bash
# Regenerates the figures of docs/quality.md: the quality tables (diffusion eval, as JSON in
# docs/quality/data; quality.md shows them pivoted) and the image grids (diffusion sample).
# Usage: docs/quality/run.sh [tables|grids|all|edm]  (default all). edm is the experiment of
# training mnist-ve with output preconditioning too; it trains for about an hour and is not part of
# all. The tables take about eleven hours of CPU (the 1,000-step cells are most of it: 15 min of one
# core per 1,000 evaluations of 200 images; the seed cells add about three hours); every command
# is independent and can run on its own, e.g. on another core.
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
out=docs/quality
mkdir -p "$out/data"
dotnet build -c Release runtime/Diffusion.Cli -v q -nologo >/dev/null
diffusion() { dotnet runtime/Diffusion.Cli/bin/Release/net10.0/diffusion.dll "$@"; }
dotnet build -c Release training/Diffusion.Training.Cli -v q -nologo >/dev/null
train() { dotnet training/Diffusion.Training.Cli/bin/Release/net10.0/diffusion-train.dll "$@"; }
# seeds TAG EVAL-ARGS: the same cell from each seed of $SEEDS (default 0-7), one eval document per
# seed, as a JSON array.
seeds() {
  local tag=$1 first=1; shift
  { echo '['; for s in ${SEEDS:-0 1 2 3 4 5 6 7}; do
      (( first )) || echo ','; first=0
      diffusion eval --seed "$s" --count 200 --threads 1 --format json "$@"
    done; echo ']'; } > "$out/data/seeds-$tag.json"
}

if [[ "$what" == tables || "$what" == all ]]; then
  # MNIST: Frechet distance in the shipped classifier's features, 200 samples a row (seed 0).
  diffusion eval --model models/mnist-ddpm.onnx --sampler ddpm,ddim,euler,heun,pc --steps 5,10,20,50,100 --count 200 --threads 1 --format json > "$out/data/mnist-ddpm.json"
  diffusion eval --model models/mnist-ddpm.onnx --sampler ddpm,ddim,heun,pc --steps 1000 --count 200 --threads 1 --format json > "$out/data/mnist-ddpm-1000.json"
  # DDPM between 100 and 1,000 steps, and without clipping x0 (the model's config clips to +-1).
  diffusion eval --model models/mnist-ddpm.onnx --sampler ddpm --steps 500 --count 200 --threads 1 --format json > "$out/data/mnist-ddpm-500.json"
  diffusion info models/mnist-ddpm.onnx --config | sed 's/"clip_sample": true/"clip_sample": false/' > "$out/data/mnist-ddpm-noclip.config.json"
  diffusion eval --model models/mnist-ddpm.onnx --scheduler-config "$out/data/mnist-ddpm-noclip.config.json" --sampler ddpm --steps 100,1000 --count 200 --threads 1 --format json > "$out/data/mnist-ddpm-noclip.json"
  diffusion eval --model models/mnist-ve.onnx --sampler ddpm,ddim,heun,pc --steps 5,10,20,50,100 --count 200 --threads 1 --format json > "$out/data/mnist-ve.json"
  diffusion eval --model models/mnist-ve.onnx --sampler ddpm,ddim,heun,pc --steps 1000 --count 200 --threads 1 --format json > "$out/data/mnist-ve-1000.json"
  diffusion eval --model models/mnist-ve.onnx --sampler langevin --steps 5,10,20,50,100 --count 200 --threads 1 --format json > "$out/data/mnist-ve-langevin.json"
  diffusion eval --model models/mnist-ve.onnx --sampler ddim,heun --steps 10,20,50 --spacing karras --count 200 --threads 1 --format json > "$out/data/mnist-ve-karras.json"
  diffusion eval --model models/mnist-cond.onnx --class all --sampler ddpm,ddim,heun,pc --steps 5,10,20,50,100 --count 200 --threads 1 --format json > "$out/data/mnist-cond.json"
  diffusion eval --model models/mnist-cond.onnx --class all --sampler ddpm,ddim,heun,pc --steps 1000 --count 200 --threads 1 --format json > "$out/data/mnist-cond-1000.json"
  for w in 2 4; do
    diffusion eval --model models/mnist-cond.onnx --class all --guidance "$w" --sampler ddim --steps 10,20,50 --count 200 --threads 1 --format json > "$out/data/mnist-cond-g$w.json"
  done
  # The seed spread (seeds below).
  seeds ddpm-ddim20 --model models/mnist-ddpm.onnx --sampler ddim --steps 20
  seeds ve-heun10 --model models/mnist-ve.onnx --sampler heun --steps 10
  seeds ve-ddpm100 --model models/mnist-ve.onnx --sampler ddpm --steps 100
  # mnist-ddpm's DDPM at 100 and 1,000 steps from the same seeds (17 min of a core per 1,000-step cell).
  for n in 100 1000; do seeds ddpm-ddpm$n --model models/mnist-ddpm.onnx --sampler ddpm --steps $n; done
  diffusion eval --model models/mnist-ve.onnx --seed 1 --sampler ddpm,ddim,heun,pc --steps 10,100 --count 200 --threads 1 --format json > "$out/data/mnist-ve-seed1.json"
  # Denoising error of real digits per noise level (the training CLI; no sampler involved).
  for m in mnist-ddpm mnist-cond mnist-ve; do
    train denoise-error --model "models/$m.onnx" > "$out/data/$m-denoise-error.txt"
  done
  # 2-D: exact squared MMD to the ring and the share within 3 std of a component, 1,000 samples a row.
  for m in ring-vp ring-ve; do
    diffusion eval --model "models/$m.onnx" --reference ring --sampler ddpm,ddim,euler,heun,pc,langevin --steps 5,10,20,50,100,1000 --count 1000 --threads 1 --format json > "$out/data/$m.json"
  done
fi

if [[ "$what" == edm ]]; then
  # mnist-ve with Karras et al.'s whole preconditioning (input and output), otherwise trained as the shipped one.
  m=runs/mnist-ve-edm
  [[ -f $m/checkpoint.safetensors ]] || train train --dataset mnist --objective ve --precondition edm --sigma-data 0.5 --batch 32 --steps 12256 --out $m --checkpoint-every 250 --preview-every 1000 --preview-steps 25 --log-every 50
  train train --out $m --resume  # finishes a stopped run; a finished one only says so
  train export $m/checkpoint.safetensors --out $m/model.onnx --prediction score
  for s in 0 1; do
    suffix=; [[ $s == 1 ]] && suffix=-seed1
    diffusion eval --model $m/model.onnx --seed $s --sampler ddpm,ddim,heun,pc --steps 10,100 --count 200 --threads 1 --format json > "$out/data/mnist-ve-edm$suffix.json"
  done
  train denoise-error --model $m/model.onnx > "$out/data/mnist-ve-edm-denoise-error.txt"
  seeds edm-ddpm100 --model $m/model.onnx --sampler ddpm --steps 100
fi

if [[ "$what" == grids || "$what" == all ]]; then
  # 16 samples (seed 0) per sampler at a low and a high step count.
  for m in mnist-ddpm mnist-ve mnist-cond; do
    extra=(); [[ $m == mnist-cond ]] && extra=(--class all --guidance 2)
    samplers=(ddpm ddim heun pc); [[ $m == mnist-ve ]] && samplers+=(langevin)
    for s in "${samplers[@]}"; do
      for n in 10 100; do
        diffusion sample --model "models/$m.onnx" --sampler "$s" --steps "$n" --count 16 "${extra[@]}" --out "$out/$m-$s-$n.png" >/dev/null
      done
    done
  done
fi
