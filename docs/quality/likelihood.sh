#!/usr/bin/env bash
# The likelihood table of docs/quality.md: `diffusion likelihood` of 64 held-out digits
# (docs/quality/heldout-digits.mjs) under each unconditional MNIST model, rtol = atol = 1e-5, one probe per
# point; the report of model M goes to docs/quality/data/likelihood-M.txt (with the time it took).
# About 10 min of one core per model.
# Usage: docs/quality/likelihood.sh [MODEL ...]   (default: mnist-ddpm mnist-ve)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -z ${DIFFUSION_DLL:-} ]]; then
  dotnet build -c Release runtime/Diffusion.Cli -v q -nologo >/dev/null
  DIFFUSION_DLL=runtime/Diffusion.Cli/bin/Release/net10.0/diffusion.dll
fi
digits=$(mktemp --suffix .npy)
trap 'rm -f "$digits"' EXIT
node docs/quality/heldout-digits.mjs 64 "$digits"
models=("$@"); (( ${#models[@]} )) || models=(mnist-ddpm mnist-ve)
for m in "${models[@]}"; do
  out=docs/quality/data/likelihood-$m.txt
  started=$(date +%s)
  dotnet "$DIFFUSION_DLL" likelihood --model "models/$m.onnx" --data "$digits" --threads 1 > "$out.tmp"
  echo "seconds: $(( $(date +%s) - started )) (one thread)" >> "$out.tmp"
  mv "$out.tmp" "$out"
  cat "$out"
done
