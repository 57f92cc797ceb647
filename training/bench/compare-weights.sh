#!/usr/bin/env bash
# Does a continued training run beat the shipped weights? Scores a candidate export of an MNIST model with the
# two cells docs/quality.md ranks shipped models by, the converged ODE (DDIM, 100 steps) and the default sampler
# (restart sampling, 12 steps), from the seeds given (200 samples each), and prints each cell beside the shipped
# model's from the same seeds with the paired difference. The shipped weights' cells are documents this script
# wrote when they were a candidate, kept in docs/quality/data/shipped/MODEL (SHIPPED=DIR for another folder):
# when a candidate ships, copy its documents there. The candidate's documents (and eval's progress, FILE.log) go
# to OUT (default: compare/ beside the candidate), so a rerun skips what exists.
# Usage: training/bench/compare-weights.sh CANDIDATE.onnx MODEL [SEEDS...]   (MODEL: mnist-ddpm, mnist-ve or
#        mnist-cond; seeds default 0-3)   DIFFUSION_DLL=... to use a built diffusion.dll; JOBS=N (default 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
candidate=$1 model=$2; shift 2
seeds=("$@"); (( ${#seeds[@]} )) || seeds=(0 1 2 3)
[[ -f $candidate ]] || { echo "error: candidate $candidate does not exist: export one with diffusion-train export CHECKPOINT --out FILE.onnx" >&2; exit 1; }
shipped=${SHIPPED:-docs/quality/data/shipped/$model}
out=${OUT:-$(dirname "$candidate")/compare}
mkdir -p "$out"
if [[ -z ${DIFFUSION_DLL:-} ]]; then
  dotnet build -c Release runtime/Diffusion.Cli -v q -nologo >/dev/null
  export DIFFUSION_DLL=runtime/Diffusion.Cli/bin/Release/net10.0/diffusion.dll
fi
cls=(); [[ $model == mnist-cond ]] && cls=(--class all)
for s in "${seeds[@]}"; do
  # (no trailing blank: xargs -L would join the next line to it)
  echo "$out/s$s-ddim100.json --seed $s --sampler ddim --steps 100${cls[*]:+ ${cls[*]}}"
  echo "$out/s$s-restart12.json --seed $s --sampler restart --steps 12${cls[*]:+ ${cls[*]}}"
done | xargs -P "${JOBS:-2}" -L 1 bash -c 'file=$1; shift; [[ -f $file ]] && exit 0
  dotnet "$DIFFUSION_DLL" eval --model "$0" --count 200 --threads 1 --format json "$@" > "$file.tmp" 2> "$file.log" && mv "$file.tmp" "$file"' \
  "$candidate"
for s in "${seeds[@]}"; do for file in ddim100 restart12; do
  [[ -f $shipped/s$s-$file.json ]] || { echo "error: $shipped has no s$s-$file.json, the shipped weights' cell from seed $s: score them from that seed with OUT=$shipped $0 models/$model.onnx $model $s" >&2; exit 1; }
done; done
node - "$out" "$shipped" "${seeds[@]}" <<'EOF'
const { readFileSync } = require('node:fs');
const [out, shipped, ...seeds] = process.argv.slice(2);
const fd = (file, sampler, nfe) => JSON.parse(readFileSync(file, 'utf8')).rows.find(r => r.sampler === sampler && r.nfe === nfe)?.fd;
const stats = xs => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const se = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
  return `${m.toFixed(1)} ± ${se.toFixed(1)}`;
};
console.log(`| cell (${seeds.length} seeds) | candidate | shipped | candidate - shipped, paired |\n|---|---:|---:|---:|`);
for (const [name, file, sampler, nfe] of [['DDIM, 100 steps', 'ddim100', 'ddim', 100], ['restart, 12 steps', 'restart12', 'restart', 20]]) {
  const a = seeds.map(s => fd(`${out}/s${s}-${file}.json`, sampler, nfe));
  const b = seeds.map(s => fd(`${shipped}/s${s}-${file}.json`, sampler, nfe));
  console.log(`| ${name} | ${stats(a)} | ${stats(b)} | ${stats(a.map((x, i) => x - b[i]))} |`);
}
EOF
