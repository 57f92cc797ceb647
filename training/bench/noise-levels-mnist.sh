#!/usr/bin/env bash
# The 1,500-step MNIST comparison of noise-level sampling and loss weighting in docs/training.md: the shipped
# mnist-ddpm recipe (one thread), differing only in the options given; each run is exported, its denoising
# error measured on 256 digits, and scored by diffusion eval from seeds 0-3 (DPM-Solver++ SDE and DDIM, 25 steps).
# A killed run resumes where it stopped. Writes runs/ns-NAME/ (checkpoint, model.onnx, denoise-error.txt, eval-sS.json).
# Usage: training/bench/noise-levels-mnist.sh NAME [TRAIN OPTIONS...]
#   the four runs: uniform --loss-weighting own;  lognormal --noise-sampling lognormal --loss-weighting own;
#   logsnr --noise-sampling log-snr --loss-weighting own;  minsnr --loss-weighting min-snr
#   (name the weighting: min-snr is the image default since these runs, own was before)
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1; shift; out=runs/ns-$name
dotnet build -c Release training/Diffusion.Training.Cli -v q -nologo >/dev/null
dotnet build -c Release runtime/Diffusion.Cli -v q -nologo >/dev/null
train=training/Diffusion.Training.Cli/bin/Release/net10.0/diffusion-train.dll
diffusion=runtime/Diffusion.Cli/bin/Release/net10.0/diffusion.dll
if [[ -f $out/checkpoint.safetensors ]]; then
  dotnet $train train --out $out --resume --threads 1
else
  dotnet $train train -d mnist --objective ddpm --batch 32 --steps 1500 --threads 1 --out $out \
    --checkpoint-every 250 --preview-every 1500 --preview-steps 25 --log-every 100 "$@"
fi
dotnet $train export $out/checkpoint.safetensors --out $out/model.onnx
dotnet $train denoise-error -m $out/model.onnx > $out/denoise-error.txt
for s in 0 1 2 3; do
  dotnet $diffusion eval --model $out/model.onnx --count 200 --threads 1 --format json --seed $s --sampler dpmpp-sde,ddim --steps 25 > $out/eval-s$s.json
done
