#!/usr/bin/env bash
# Linux's framebuffer console in a real window, and typed keys reaching a
# shell on it. Run under Xvfb (xvfb-run; CTest does). Debian's amd64 kernel
# boots directly (-kernel) with "console=ttyS0 console=tty0 softvisor.shell":
# the boot planner gives it a 1024x768x32 Bochs VBE framebuffer (vesafb),
# fbcon draws tty0, and /init's output and shell are on tty0 (the last
# console=), while the kernel log also goes to the serial file.
#   1. Ctrl+Alt+S screenshots (typed with xdotool into the SDL window) until
#      /init's SOFTVISOR-SHELL-READY is on the screen: the picture must be
#      1024x768 (a VBE mode; text mode would be 720x400) and every cell one
#      of the kernel's own 8x16 font's glyphs (font_vga_8x16, which
#      scripts/fetch-guests.sh cuts out of the kernel) but the cursor,
#      with /init's markers and the kernel release among them.
#   2. `echo typed-$((6*7))` and Enter typed with xdotool
#      (X -> SDL -> PS/2 bridge -> i8042 -> atkbd -> VT -> shell) must put
#      typed-42 on the screen; then `poweroff -f` must end the VM with 0.
# Screenshots and logs stay in OUT_DIR.
#   fbcon_shell.sh SOFTVISOR SCREEN_TEXT GUEST_DIR OUT_DIR
set -euo pipefail
source "$(dirname "$0")/../boot/guest_checks.sh"
softvisor=$1 screen_text=$2 guests=$3 out=$4
kernel=$(ls "$guests"/vmlinuz-*-amd64 2>/dev/null | head -n1 || true)
release=$(basename "$kernel"); release=${release#vmlinuz-}
initrd=$guests/initramfs-amd64.cpio.gz
font=$guests/font-8x16-$release.bin  # the kernel's font_vga_8x16
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "$kernel" ] && [ -f "$initrd" ] && [ -f "$font" ] ||
  fail "no amd64 kernel, initramfs or console font in $guests: run scripts/fetch-guests.sh (the fetch_guests test does)"
command -v xdotool >/dev/null || fail "xdotool is not installed (scripts/deps.sh installs it)"
[ -n "${DISPLAY:-}" ] || fail "no X display: run this under xvfb-run"

mkdir -p "$out"
cd "$out"
rm -f fbcon-screenshot-*.png serial.log stderr.log boot.png typed.png
log=$out/serial.log
start=$(date +%s.%N)
SDL_VIDEODRIVER=x11 "$softvisor" -accel jit -m 256M -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 console=tty0 softvisor.shell" -serial "file:$log" -no-reboot \
  -display sdl -name fbcon 2>stderr.log &
vm=$!
trap 'kill $vm 2>/dev/null || true' EXIT
win=$(timeout 60 xdotool search --sync --name '^fbcon' | head -n1) || fail "no softvisor window appeared (stderr: $(cat stderr.log))"
xdotool windowfocus --sync "$win"
# No key before Linux has probed the i8042 and is running /init: bytes
# queued during the probe make it flush more than its 16-byte buffer and
# give up ("i8042: No controller found").
for _ in $(seq 3000); do
  grep -aq "Run /init as init process" "$log" 2>/dev/null && break
  kill -0 $vm 2>/dev/null || fail "softvisor ended early (stderr: $(cat stderr.log))"
  sleep 0.2
done
grep -aq "Run /init as init process" "$log" || fail "the kernel did not start /init within 600 s"

shots=0 shot=""
# Takes a hot-key screenshot into $shot (no subshell: it counts in $shots).
screenshot() {
  shots=$((shots + 1))
  shot=fbcon-screenshot-$shots.png
  xdotool key ctrl+alt+s
  for _ in $(seq 50); do
    [ -s "$shot" ] && grep -q "screenshot $shot" stderr.log && return 0
    kill -0 $vm 2>/dev/null || fail "softvisor ended early (stderr: $(cat stderr.log))"
    sleep 0.2
  done
  fail "Ctrl+Alt+S made no $shot (stderr: $(cat stderr.log))"
}
# Screenshots every 2 s until TEXT is on the screen in $shot (at most
# SECONDS).
wait_for_screen() {
  local text=$1 until=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$until" ]; do
    screenshot
    "$screen_text" "$shot" "$font" --want "$text" --max-unknown 1 >/dev/null 2>&1 && return 0
    sleep 2
  done
  return 1
}

wait_for_screen SOFTVISOR-SHELL-READY 600 || { tail -n 5 "$log" >&2; fail "SOFTVISOR-SHELL-READY never came on the screen"; }
ready=$(date +%s.%N)
cp "$shot" boot.png
echo "the shell is ready after $(elapsed "$start" "$ready") s; screen ($out/boot.png):"
status=0
"$screen_text" boot.png "$font" --size 1024x768 --max-unknown 1 \
  --want SOFTVISOR-GUEST-DONE --want SOFTVISOR-SHELL-READY --want "$release" || status=1

# The keys go through X's keyboard (XTEST) to the focused SDL window.
xdotool type --delay 60 'echo typed-$((6*7))'
xdotool key Return
wait_for_screen typed-42 120 || { status=1; echo "FAIL: typed-42 never came on the screen" >&2; }
cp "$shot" typed.png
# Only the shell's answer is wanted: a kernel message may land inside the
# echoed command line (the console is shared), not inside echo's one write.
"$screen_text" typed.png "$font" --size 1024x768 --max-unknown 1 --want typed-42 |
  tail -n 12 || status=1

xdotool type --delay 60 'poweroff -f'
xdotool key Return
vm_status=0
for _ in $(seq 600); do kill -0 $vm 2>/dev/null || break; sleep 0.2; done
if kill -0 $vm 2>/dev/null; then
  echo "FAIL: the VM did not power off within 120 s of 'poweroff -f'" >&2
  status=1
  kill $vm
fi
wait $vm || vm_status=$?
trap - EXIT
end=$(date +%s.%N)
echo "softvisor exited with $vm_status after $(elapsed "$start" "$end") s"
[ "$vm_status" -eq 0 ] || { echo "FAIL: softvisor exited with $vm_status (stderr: $(cat stderr.log))" >&2; status=1; }
# The serial log has the kernel's side: the framebuffer it found, the end.
for want in "Linux version" "vesafb: mode is 1024x768x32" "Console: switching to colour frame buffer device 128x48" \
            "Run /init as init process" "serio: i8042 KBD port at 0x60,0x64 irq 1" "reboot: Power down"; do
  grep -aqF -- "$want" "$log" || { echo "FAIL: '$want' missing from the serial log" >&2; status=1; }
done
if grep -aE "Kernel panic|BUG:|Oops|general protection fault|invalid opcode|i8042: No controller found" "$log" >&2; then status=1; fi
[ $status -eq 0 ] && echo "ok: fbcon shows the boot text and the shell took typed keys"
exit $status
