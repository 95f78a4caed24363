#!/usr/bin/env bash
# Firmware boot from a floppy: SeaBIOS (Debian's bios.bin) boots the
# 1.44 MB image that scripts/make-boot-media.sh built: syslinux, whose
# mboot.c32 loads our multiboot program tests/boot/floppy_hello.asm, which
# checks its 64 KiB payload and ends the VM through isa-debug-exit. Every
# sector on the way (boot sector, ldlinux, libcom32, mboot, the program)
# goes through the 82077AA and the 8237's channel 2. Prints the wall time.
#   floppy_boot.sh SOFTVISOR MEDIA_DIR [softvisor flags...]
# Without -fda/-drive among the flags the image goes in as -fda.
set -uo pipefail
source "$(dirname "$0")/guest_checks.sh"
softvisor=$1 media=$2
shift 2
bios=${SEABIOS_IMAGE:-/usr/share/seabios/bios.bin}
[ -f "$bios" ] || { echo "FAIL: $bios is missing (Debian package seabios; scripts/deps.sh installs it)" >&2; exit 1; }
floppy=$media/floppy.img
[ -f "$floppy" ] || { echo "FAIL: $floppy is missing: the boot_media test builds it (scripts/make-boot-media.sh)" >&2; exit 1; }
drive=(-fda "$floppy")
case " $* " in *" -drive "*|*" -fda "*) drive=() ;; esac
log=$media/boot-floppy$(printf '%s' "$*" | tr -c 'a-z0-9' '_' | cut -c1-60).log
start=$(date +%s.%N)
timeout 600 "$softvisor" -bios "$bios" -m 64M "${drive[@]}" -boot order=a -serial stdio -no-reboot \
  -device isa-debug-exit "$@" > "$log" 2>&1
status=$?
end=$(date +%s.%N)
echo "floppy: exit status $status, wall time $(elapsed "$start" "$end") s, log $log"
fail=0
# isa-debug-exit: the program writes 0 on success, the status is (0 << 1) | 1.
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status, not 1 (the program's success)" >&2; fail=1; }
for want in "SeaBIOS (version" "Booting from Floppy..." "SYSLINUX 6" "floppy_hello: loader magic 2BADB002" \
            "floppy_hello: loaded by SYSLINUX" "SOFTVISOR-FLOPPY-MULTIBOOT-OK"; do
  grep -aqF -- "$want" "$log" || { echo "FAIL: '$want' missing from the serial log" >&2; fail=1; }
done
if grep -aE "FAIL|floppy error|Boot failed" "$log" >&2; then fail=1; fi
tail -n 6 "$log"
[ $fail -eq 0 ] && echo "ok: SeaBIOS booted syslinux from the floppy, which loaded the multiboot program"
exit $fail
