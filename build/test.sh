#!/usr/bin/env bash
# Runs every test of the repository on a fresh machine: installs what the build cannot fetch
# itself (Debian's onnx.proto for the ONNX graph builder, libtorch for training), then builds and
# tests the whole solution. ONNX Runtime and other npm/NuGet packages are fetched by the build.
set -euo pipefail
cd "$(dirname "$0")/.."

build/install-deps.sh
dotnet test Diffusion.Runtime.sln -c Release "$@"
