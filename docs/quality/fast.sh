#!/usr/bin/env bash
# Quality per model evaluation (NFE) of the fast samplers on the three shipped MNIST models, from
# eight seeds of 200 samples each, sixteen for the default model mnist-ddpm (seed s draws the same 200
# starting noises for every sampler, so cells of one seed are paired). Each job writes one JSON document to docs/quality/data/fast/ and is
# skipped when its file exists or is being written (FILE.tmp), so the run can be stopped and continued
# (remove the .tmp files a killed run leaves). Two jobs run at a time, each on one ONNX Runtime
# thread (JOBS=N to change); about 45 min of one core per model and eight seeds on a quiet machine. The tables of
# docs/quality.md come from node docs/quality/fast-tables.mjs.
# Usage: docs/quality/fast.sh [MODEL ...]   (default: mnist-ddpm mnist-ve mnist-cond)
#        SEEDS="8 9 10 11" docs/quality/fast.sh mnist-ve   (more seeds of one model: how mnist-ve got its twelve)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/quality/data/fast
mkdir -p "$out"
# DIFFUSION_DLL: a built diffusion.dll to use instead of building this tree's (e.g. a copy, so that
# rebuilding the tree meanwhile cannot swap the binaries under a running evaluation).
if [[ -z ${DIFFUSION_DLL:-} ]]; then
  dotnet build -c Release runtime/Diffusion.Cli -v q -nologo >/dev/null
  export DIFFUSION_DLL=runtime/Diffusion.Cli/bin/Release/net10.0/diffusion.dll
fi
models=("$@"); (( ${#models[@]} )) || models=(mnist-ddpm mnist-ve mnist-cond)
jobs() {
  # Heun-type samplers last: if the run is cut short, every model has its one-evaluation-per-step cells.
  # (The file of a job is named after its kind: onestep, extra, twostep, reference.)
  for kind in onestep extra twostep; do
    for m in "${models[@]}"; do
      local cls=(); [[ $m == mnist-cond ]] && cls=(--class all)
      # The default model's cells spread the most: sixteen seeds of them (eight of its extra job).
      local seeds="0 1 2 3 4 5 6 7"
      [[ $m == mnist-ddpm && $kind != extra ]] && seeds="$seeds 8 9 10 11 12 13 14 15"
      seeds=${SEEDS:-$seeds}
      for s in $seeds; do
        local base="$out/$m-s$s-$kind.json --model models/$m.onnx ${cls[*]} --seed $s"
        if [[ $kind == extra ]]; then
          # The default model's old default (DDPM, 50 steps) beside DPM-Solver++ SDE at 50.
          [[ $m == mnist-ddpm ]] && echo "$base --sampler dpmpp-sde,ddpm --steps 50"
          # The VE model's deterministic solvers with Karras et al.'s spacing instead of its geometric one.
          [[ $m == mnist-ve ]] && echo "$base --sampler unipc --spacing karras --steps 5,8,10"
        elif [[ $kind == onestep ]]; then
          # One evaluation per step: NFE = steps.
          # DDIM and Heun (the samplers the other tables measure) only on the default model.
          local first=dpmpp; [[ $m == mnist-ddpm ]] && first=ddim,dpmpp
          echo "$base --sampler $first,unipc,dpmpp-sde,euler-ancestral --steps 5,8,10,15,20,25"
          # The references: the converged ODE (DDIM at 100 steps) and DDPM at 100 steps. run.sh's seed
          # cells of mnist-ve (seeds 0-7) already hold its DDPM at 100 steps from the same seeds; those of
          # mnist-ddpm are of its previous weights, so its DDPM at 100 steps is run here for every seed.
          local refs=ddim; [[ $m == mnist-cond ]] && refs=ddim,ddpm
          echo "$out/$m-s$s-reference.json --model models/$m.onnx ${cls[*]} --seed $s --sampler $refs --steps 100"
          [[ $m == mnist-ddpm || ($m == mnist-ve && $s -ge 8) ]] && echo "$out/$m-s$s-ddpm100.json --model models/$m.onnx --seed $s --sampler ddpm --steps 100"
        else
          # Heun-type (2 steps - 1 evaluations): NFE 5, 7, 9, 15, 19, 25.
          local heun=edm; [[ $m == mnist-ddpm ]] && heun=heun,edm
          echo "$base --sampler $heun --steps 3,4,5,8,10,13"
        fi
      done
    done
  done
}
run() {
  local file=$1; shift
  [[ -f $file || -f $file.tmp ]] && return 0
  dotnet "$DIFFUSION_DLL" eval --count 200 --threads 1 --format json "$@" > "$file.tmp" 2>/dev/null
  mv "$file.tmp" "$file"
  echo "$(date +%T) $file"
}
export -f run
jobs | xargs -P "${JOBS:-2}" -I{} bash -c 'run {}'
