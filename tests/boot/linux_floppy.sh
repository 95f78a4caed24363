#!/usr/bin/env bash
# The kernel's view of the floppy: Debian's 686 kernel, booted directly
# with "softvisor.floppy", loads its floppy driver (the /init of
# scripts/fetch-guests.sh does), which finds drive A: from CMOS 0x10 and
# reads the whole of /dev/fd0 through the 82077AA and ISA DMA channel 2;
# the md5sum the guest prints must be the image's.
#   linux_floppy.sh SOFTVISOR GUEST_DIR MEDIA_DIR [softvisor flags...]
set -uo pipefail
source "$(dirname "$0")/guest_checks.sh"
softvisor=$1 guests=$2 media=$3
shift 3
kernel=$(ls "$guests"/vmlinuz-*-686 2>/dev/null | head -n1 || true)
initrd=$guests/initramfs-i386.cpio.gz
[ -n "$kernel" ] && [ -f "$initrd" ] ||
  { echo "FAIL: no 686 kernel or i386 initramfs in $guests: run scripts/fetch-guests.sh (the fetch_guests test does)" >&2; exit 1; }
floppy=$media/floppy.img
[ -f "$floppy" ] || { echo "FAIL: $floppy is missing: the boot_media test builds it (scripts/make-boot-media.sh)" >&2; exit 1; }
log=$guests/boot-floppy-686$(printf '%s' "$*" | tr -c 'a-z0-9' '_').log
rm -f "$log"
start=$(date +%s.%N)
status=0
# Read-only: the guest must not change the image the other tests boot.
timeout 900 "$softvisor" -m 256M -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 softvisor.floppy" \
  -drive "if=floppy,file=$floppy,format=raw,readonly=on" -serial "file:$log" -no-reboot "$@" || status=$?
end=$(date +%s.%N)
echo "kernel $(basename "$kernel"), exit status $status, wall time $(elapsed "$start" "$end") s, log $log"
fail=0
want_md5=$(md5sum < "$floppy" | cut -d' ' -f1)
check_guest_log "$log" "$status" "reboot: Power down" "== floppy" "Floppy drive(s): fd0 is 1.44M" \
  "fd0 md5sum: $want_md5" || fail=1
if grep -aE "insmod floppy.ko failed|floppy0: (no floppy controllers found|.*timeout)|I/O error, dev fd0" "$log" >&2; then fail=1; fi
sed -n '/== floppy/,/SOFTVISOR-GUEST-DONE/p' "$log"
[ $fail -eq 0 ] && echo "ok: Linux's floppy driver read the whole floppy through the FDC and ISA DMA"
exit $fail
