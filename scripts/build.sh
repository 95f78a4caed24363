#!/usr/bin/env bash
# Configures (once) and builds softvisor into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja
ninja -C build -j"$(nproc)"
