#!/usr/bin/env bash
# The README's first command: install what is needed, build, boot the
# default guest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
scripts/run-default-guest.sh
