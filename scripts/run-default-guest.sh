#!/usr/bin/env bash
# Boots the default guest: Debian 12's amd64 kernel with the busybox
# initramfs that scripts/fetch-guests.sh fetches and packs (into
# build/guests, never committed), directly (-kernel/-initrd) under the JIT,
# to a shell on this terminal: COM1 on stdio in raw mode, Ctrl-A x quits
# as in QEMU, `poweroff -f` powers the VM off through ACPI. Without a
# terminal on stdin (a pipe, CI) there is nobody to type: the guest runs its
# /init to the end and powers off. Extra arguments go to softvisor.
# With `-display sdl` among them the shell is on the window instead: the
# kernel draws its console on the framebuffer the boot planner sets up
# (console=tty0 last, so /dev/console is the window's VT; type there), and
# its log also goes to this terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
guests=build/guests
FETCH_GUESTS_ARCHES=amd64 scripts/fetch-guests.sh "$guests"
kernel=$(ls "$guests"/vmlinuz-*-amd64 | head -n1)
window=0
prev=""
for a in "$@"; do
  [ "$prev" = -display ] && case "$a" in sdl|sdl,*) window=1 ;; esac
  prev=$a
done
if [ $window -eq 1 ]; then
  exec build/softvisor -accel jit -m 512M -kernel "$kernel" -initrd "$guests/initramfs-amd64.cpio.gz" \
    -append "console=ttyS0 console=tty0 softvisor.shell" -serial stdio "$@"
fi
cmdline="console=ttyS0"
[ -t 0 ] && cmdline="$cmdline softvisor.shell"
exec build/softvisor -accel jit -m 512M -kernel "$kernel" -initrd "$guests/initramfs-amd64.cpio.gz" \
  -append "$cmdline" -nographic "$@"
