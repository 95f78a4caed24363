#!/usr/bin/env bash
# Boots the default guest. Until the PC board lands this is our real-mode
# demo ROM, run from the reset vector; it reports through the debug console
# and ends with isa-debug-exit status 1 ((0 << 1) | 1), its "success".
set -uo pipefail
cd "$(dirname "$0")/.."
build/softvisor -bios build/roms/realmode_demo.rom -debugcon stdio -device isa-debug-exit "$@"
status=$?
if [ $status -eq 1 ]; then
  echo "default guest finished: success"
  exit 0
fi
echo "default guest failed: exit status $status" >&2
exit 1
