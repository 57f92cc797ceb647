#!/usr/bin/env bash
# Builds the native (libtorch C++) and C# (Diffusion.Torch) UNet benchmarks, runs the same training step
# in both (DDPM UNet 32/64/64, 28x28, batch 32, Adam, same thread count), alternating ROUNDS times, and
# prints images/s for each, the C#/native ratio, and the C# process's resident memory over a long run.
#
# Environment: STEPS (timed steps per run, 10), WARMUP (2), THREADS (2), ROUNDS (4),
#              MEMORY_STEPS (1000; 0 skips the memory run), MEMORY_BATCH (32).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-4}
MEMORY_STEPS=${MEMORY_STEPS:-1000}
MEMORY_BATCH=${MEMORY_BATCH:-32}

echo "building native benchmark..."
cmake -S "$here/native" -B "$here/native/build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$here/native/build" -j2 > /dev/null
echo "building C# benchmark..."
dotnet build -c Release "$here/Diffusion.Torch.Bench" -nologo -v q > /dev/null
native="$here/native/build/unet_bench"
csharp="$here/Diffusion.Torch.Bench/bin/Release/net10.0/Diffusion.Torch.Bench.dll"

rate() { sed -n 's/.*images\/s=\([0-9.]*\).*/\1/p'; }
native_rates=()
csharp_rates=()
for ((round = 1; round <= ROUNDS; round++)); do
  # Alternate which side goes first so that drifting machine load does not favour one of them.
  if ((round % 2)); then order=(native csharp); else order=(csharp native); fi
  for side in "${order[@]}"; do
    if [[ $side == native ]]; then
      line=$("$native" "$STEPS" "$WARMUP" "$THREADS")
      native_rates+=("$(rate <<< "$line")")
    else
      line=$(dotnet "$csharp" "$STEPS" "$WARMUP" "$THREADS")
      csharp_rates+=("$(rate <<< "$line")")
    fi
    echo "round $round: $line"
  done
done

# Other work on a shared machine only ever slows a run down: the best run of each side is the fairest
# figure; the mean is printed too.
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
echo "native images/s: best $(best "${native_rates[@]}"), mean $(mean "${native_rates[@]}") over $ROUNDS runs"
echo "C#     images/s: best $(best "${csharp_rates[@]}"), mean $(mean "${csharp_rates[@]}") over $ROUNDS runs"
awk -v c="$(best "${csharp_rates[@]}")" -v n="$(best "${native_rates[@]}")" \
  'BEGIN { printf "C# / native (best runs): %.3f (target >= 0.95)\n", c / n }'

if ((MEMORY_STEPS > 0)); then
  echo "memory run: $MEMORY_STEPS steps at batch $MEMORY_BATCH..."
  dotnet "$csharp" 0 0 "$THREADS" "$MEMORY_STEPS" "$MEMORY_BATCH"
fi
