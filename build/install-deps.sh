#!/usr/bin/env bash
# Installs the Debian packages the build needs when they are missing:
#   libonnx-dev  - onnx.proto, compiled into C# by the ONNX graph builder (training/Diffusion.Onnx)
#   libtorch-dev - libtorch 1.13.1, the training engine (training/)
#   libgloo-dev  - Gloo's headers, which c10d's ProcessGroupGloo.hpp includes (data-parallel training; the
#                  library itself, libgloo0, comes with libtorch)
#   libopenblas0-openmp - an optimised BLAS: Debian's libtorch links the BLAS alternative, which
#                  otherwise is the reference BLAS (a 256x128x128 matmul: 2.9 ms against 0.1 ms)
#   chromium     - the headless browser the web page's end-to-end test drives through
#                  Microsoft.Playwright (tests/Diffusion.Server.Tests; ExecutablePath /usr/bin/chromium,
#                  since Playwright's own browser download is not reachable)
# Uses sudo when not root. Does nothing when all are present.
set -euo pipefail
missing=()
for pkg in libonnx-dev libtorch-dev libgloo-dev libopenblas0-openmp chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]} with apt-get"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
