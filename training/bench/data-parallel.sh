#!/usr/bin/env bash
# Data-parallel training, 1 process against 2 (diffusion-train train --nproc 2) on this machine, with the same
# global batch: images (or points) per second over the run, and the share of rank 0's step time spent in the
# gradient all-reduce (waiting for the slower rank included). Two workloads:
#   ring  - the 2-D MLP (128 x 3, 58k parameters), batch 256, RING_STEPS steps
#   mnist - the default MNIST UNet (32 channels, multipliers 1,2,2), batch 64, MNIST_STEPS steps
# Each row runs ROUNDS times; the table shows the median. Previews are off; one checkpoint at the end.
# Environment: RING_STEPS (400), MNIST_STEPS (20), ROUNDS (3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RING_STEPS=${RING_STEPS:-400}
MNIST_STEPS=${MNIST_STEPS:-20}
ROUNDS=${ROUNDS:-3}
cli_project="$here/../Diffusion.Training.Cli"
dotnet build -c Release "$cli_project" -nologo -v q > /dev/null
cli="$cli_project/bin/Release/net10.0/diffusion-train.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run LABEL STEPS THREADS NPROC ARGS...: prints "rate share" of one run
run() {
  local steps=$1 threads=$2 nproc=$3; shift 3
  local out="$work/run" log="$work/log"
  rm -rf "$out"
  local extra=()
  ((nproc > 1)) && extra=(--nproc "$nproc")
  dotnet "$cli" train "$@" --steps "$steps" --threads "$threads" --log-every "$steps" --preview-every 0 \
    --checkpoint-every "$steps" --out "$out" "${extra[@]}" > /dev/null 2> "$log"
  local rate share
  rate=$(sed -n 's/.*  \([0-9.]*\) samples\/s$/\1/p' "$log" | tail -1)
  share=$(sed -n 's/.* s (\([0-9.]*\) %) of it in all-reduce.*/\1/p' "$log" | tail -1)
  echo "$rate ${share:--}"
}

printf '%-6s %-22s %12s %16s\n' workload setup "samples/s" "all-reduce share"
for workload in ring mnist; do
  if [[ $workload == ring ]]; then args=(-d ring --batch 256); steps=$RING_STEPS; else args=(-d mnist --batch 64); steps=$MNIST_STEPS; fi
  for setup in "1 1" "2 1" "1 2"; do
    read -r nproc threads <<< "$setup"
    rates=(); shares=()
    for ((round = 1; round <= ROUNDS; round++)); do
      read -r rate share < <(run "$steps" "$threads" "$nproc" "${args[@]}")
      rates+=("$rate"); shares+=("$share")
    done
    rate=$(printf '%s\n' "${rates[@]}" | median)
    if [[ ${shares[0]} == - ]]; then share="-"; else share="$(printf '%s\n' "${shares[@]}" | median) %"; fi
    printf '%-6s %-22s %12.0f %16s\n' "$workload" "$nproc process(es) x $threads thread(s)" "$rate" "$share"
  done
done
