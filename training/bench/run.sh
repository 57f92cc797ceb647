#!/usr/bin/env bash
# Builds the native (libtorch C++) and C# (Diffusion.Torch) UNet benchmarks, runs the same training step
# in both (DDPM UNet 32/64/64, 28x28, batch 32, Adam, same thread count), alternating ROUNDS times, and
# prints images/s for each, the C#/native ratio, the gain of keeping freed memory in the heap, and the C#
# process's resident memory over a long run.
#
# Environment: STEPS (timed steps per run, 10), WARMUP (2), THREADS (2), ROUNDS (4),
#              MEMORY_STEPS (1000; 0 skips the memory run), MEMORY_BATCH (32),
#              HEAPS ("keep default": each side runs with the heap keeping freed memory, as diffusion-train
#              does, and with glibc's defaults; their ratio is printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-4}
HEAPS=${HEAPS:-keep default}
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
declare -A rates   # "side heap" -> space-separated images/s of its runs
for ((round = 1; round <= ROUNDS; round++)); do
  # Alternate which side and which heap go first so that drifting machine load favours none of them.
  if ((round % 2)); then order=(native csharp); else order=(csharp native); fi
  heaps=($HEAPS); ((round % 2)) || heaps=($(printf '%s\n' "${heaps[@]}" | tac))
  for side in "${order[@]}"; do
    for heap in "${heaps[@]}"; do
      if [[ $side == native ]]; then
        line=$("$native" "$STEPS" "$WARMUP" "$THREADS" "$heap")
      else
        line=$(dotnet "$csharp" "$STEPS" "$WARMUP" "$THREADS" 0 32 "$heap")
      fi
      rates[$side $heap]+="$(rate <<< "$line") "
      echo "round $round: $line"
    done
  done
done

# Other work on a shared machine only ever slows a run down: the best run of each side is the fairest
# figure; the mean is printed too.
mean() { printf '%s\n' $1 | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
best() { printf '%s\n' $1 | sort -g | tail -1; }
for heap in $HEAPS; do
  echo "heap=$heap: native images/s best $(best "${rates[native $heap]}"), mean $(mean "${rates[native $heap]}"); C# best $(best "${rates[csharp $heap]}"), mean $(mean "${rates[csharp $heap]}") over $ROUNDS runs"
  awk -v c="$(best "${rates[csharp $heap]}")" -v n="$(best "${rates[native $heap]}")" \
    -v h="$heap" 'BEGIN { printf "heap=%s: C# / native (best runs): %.3f (target >= 0.95)\n", h, c / n }'
done
if [[ " $HEAPS " == *" keep "* && " $HEAPS " == *" default "* ]]; then
  for side in native csharp; do
    awk -v k="$(best "${rates[$side keep]}")" -v d="$(best "${rates[$side default]}")" -v s="$side" \
      'BEGIN { printf "%s: keep / default heap (best runs): %.2f\n", s, k / d }'
  done
fi

if ((MEMORY_STEPS > 0)); then
  echo "memory run: $MEMORY_STEPS steps at batch $MEMORY_BATCH..."
  dotnet "$csharp" 0 0 "$THREADS" "$MEMORY_STEPS" "$MEMORY_BATCH" keep
fi
