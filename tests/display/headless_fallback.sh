#!/usr/bin/env bash
# -display sdl with no display available: a message on stderr, then the VM
# runs headless (exit status 0 after the guest's final HLT) and the
# -screenshot still works.
#   headless_fallback.sh SOFTVISOR VGA_PATTERNS_KERNEL OUT_DIR
set -u
softvisor=$1 kernel=$2 out=$3
png=$out/headless.png
rm -f "$png"
err=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER XDG_RUNTIME_DIR=/nonexistent \
      timeout 60 "$softvisor" -kernel "$kernel" -append mode13 -display sdl -screenshot "$png,at=0" 2>&1)
status=$?
echo "$err"
fail=0
[ $status -eq 0 ] || { echo "FAIL: exit status $status"; fail=1; }
echo "$err" | grep -q -- '-display sdl: no display available' || { echo "FAIL: no 'no display available' message"; fail=1; }
echo "$err" | grep -q 'guest halted' || { echo "FAIL: the VM did not run to its end"; fail=1; }
[ -s "$png" ] || { echo "FAIL: no screenshot $png"; fail=1; }
[ $fail -eq 0 ] && echo "ok: headless fallback"
exit $fail
