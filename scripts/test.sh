#!/usr/bin/env bash
# The README's second command (and what CI runs): build, then run every test
# through CTest. Extra arguments go to ctest (e.g. -L conformance).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
