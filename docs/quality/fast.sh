#!/usr/bin/env bash
# Quality per model evaluation (NFE) of the fast samplers on the three shipped MNIST models, from eight
# seeds of 200 samples each (mnist-cond) or twelve (mnist-ddpm, mnist-ve), up to 48 of the 5-NFE column
# and 24 of mnist-ddpm's stochastic cells from 8 to 25 NFE (seed s draws the same 200 starting noises for
# every sampler, so cells of one seed are paired). Each job writes one JSON document to
# docs/quality/data/fast/ and is skipped when its file exists or is being written (FILE.tmp), so the run
# can be stopped and continued (remove the .tmp files a killed run leaves). Two jobs run at a time, each
# on one ONNX Runtime thread (JOBS=N to change); about 45 min of one core per model and eight seeds on a
# quiet machine. The tables of docs/quality.md come from node docs/quality/fast-tables.mjs.
# Usage: docs/quality/fast.sh [MODEL ...]   (default: mnist-ddpm mnist-ve mnist-cond)
#        SEEDS="12 13" KINDS="onestep twostep" docs/quality/fast.sh mnist-ve
#        (other seeds of some kinds of job of one model)
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
  # Heun-type samplers after the others: if the run is cut short, every model has its one-evaluation-per-step
  # cells. (The file of a job is named after its kind: onestep, extra, twostep, reference, ddpm100, nfe5,
  # stochastic, stochastic25, restart.)
  for kind in ${KINDS:-onestep extra twostep nfe5 stochastic restart}; do
    for m in "${models[@]}"; do
      local cls=(); [[ $m == mnist-cond ]] && cls=(--class all)
      # One evaluation per step (NFE = steps); DDIM and Heun (the samplers the other tables measure) only on
      # the default model. Heun-type samplers spend 2 steps - 1 evaluations: steps 3, 4, 5, 8, 10, 13 are
      # NFE 5, 7, 9, 15, 19, 25.
      local onestep=dpmpp,unipc,dpmpp-sde,euler-ancestral twostep=edm
      [[ $m == mnist-ddpm ]] && onestep=ddim,$onestep twostep=heun,$twostep
      # The unconditional models' cells spread the most: twelve seeds of them, eight of mnist-cond's.
      local count=8; [[ $m != mnist-cond ]] && count=12
      local seeds; seeds=$(seq -s ' ' 0 $((count - 1)))
      # At 5 NFE the samplers that are still far from converged spread by up to 45 FD from seed to seed:
      # the seeds after those up to 47 for that column alone (it costs a twentieth of the others), so its
      # standard errors are under 5 as well.
      [[ $kind == nfe5 ]] && seeds=$(seq -s ' ' $count 47)
      # mnist-ve's EDM sampler at 5 NFE scores about 2,460 and spreads by 63: seeds up to 159 for that cell.
      [[ $kind == nfe5 && $m == mnist-ve ]] && seeds=$(seq -s ' ' $count 159)
      # On mnist-ddpm the stochastic samplers' cells from 8 to 25 NFE spread by up to 20: twelve seeds more.
      if [[ $kind == stochastic ]]; then seeds=""; [[ $m == mnist-ddpm ]] && seeds=$(seq -s ' ' 12 23); fi
      # Restart sampling is measured against DDPM at 100 steps too: on mnist-ddpm from all 24 of its seeds.
      [[ $kind == restart && $m == mnist-ddpm ]] && seeds=$(seq -s ' ' 0 23)
      seeds=${SEEDS:-$seeds}
      for s in $seeds; do
        local base="$out/$m-s$s-$kind.json --model models/$m.onnx ${cls[*]} --seed $s"
        if [[ $kind == extra ]]; then
          # The VE model's deterministic solvers with Karras et al.'s spacing instead of its geometric one.
          # (mnist-ddpm's previous weights had DDPM and DPM-Solver++ SDE at 50 steps here: fast/previous-weights.)
          [[ $m == mnist-ve ]] && echo "$base --sampler unipc --spacing karras --steps 5,8,10"
        elif [[ $kind == onestep ]]; then
          echo "$base --sampler $onestep --steps 5,8,10,15,20,25"
          # The references: the converged ODE (DDIM at 100 steps) and DDPM at 100 steps. run.sh's seed
          # cells of mnist-ve (seeds 0-7) already hold its DDPM at 100 steps from the same seeds; those of
          # mnist-ddpm are of its previous weights, so its DDPM at 100 steps is run here for every seed.
          local refs=ddim; [[ $m == mnist-cond ]] && refs=ddim,ddpm
          echo "$out/$m-s$s-reference.json --model models/$m.onnx ${cls[*]} --seed $s --sampler $refs --steps 100"
          [[ $m == mnist-ddpm || ($m == mnist-ve && $s -ge 8) ]] && echo "$out/$m-s$s-ddpm100.json --model models/$m.onnx --seed $s --sampler ddpm --steps 100"
        elif [[ $kind == restart ]]; then
          # One restart whose pass down [0.1, 2] takes two thirds of the path's steps (the default): steps
          # 5, 6, 9, 12, 15 are NFE 8, 10, 15, 20, 25.
          echo "$base --sampler restart --steps 5,6,9,12,15"
        elif [[ $kind == twostep ]]; then
          echo "$base --sampler $twostep --steps 3,4,5,8,10,13"
        elif [[ $kind == stochastic ]]; then
          echo "$base --sampler dpmpp-sde,euler-ancestral --steps 8,10,15,20"
          # Their 25-NFE cells and the reference they are paired with (the stochastic target), from the same seeds.
          echo "$out/$m-s$s-stochastic25.json --model models/$m.onnx --seed $s --sampler dpmpp-sde,euler-ancestral --steps 25"
          echo "$out/$m-s$s-ddpm100.json --model models/$m.onnx --seed $s --sampler ddpm --steps 100"
        else
          (( s < 48 )) && echo "$base --sampler $onestep --steps 5"
          echo "$out/$m-s$s-nfe5-twostep.json --model models/$m.onnx ${cls[*]} --seed $s --sampler $twostep --steps 3"
        fi
      done
    done
  done
  return 0
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
