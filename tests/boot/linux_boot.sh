#!/usr/bin/env bash
# Boots a Debian kernel fetched by scripts/fetch-guests.sh directly
# (-kernel/-initrd) with its busybox initramfs and checks that /init ran:
# the SOFTVISOR-GUEST-READY marker, the commands, SOFTVISOR-GUEST-DONE, and
# a clean end (poweroff -f halts; softvisor exits 0). The serial log stays
# in the build tree as the test's artifact.
#   linux_boot.sh SOFTVISOR GUEST_DIR FLAVOUR INITRD_ARCH [softvisor flags...]
set -euo pipefail
source "$(dirname "$0")/guest_checks.sh"
softvisor=$1 guests=$2 flavour=$3 arch=$4
shift 4
kernel=$(ls "$guests"/vmlinuz-*-"$flavour" 2>/dev/null | head -n1 || true)
initrd=$guests/initramfs-$arch.cpio.gz
if [ -z "$kernel" ] || [ ! -f "$initrd" ]; then
  echo "FAIL: no $flavour kernel or $arch initramfs in $guests: run scripts/fetch-guests.sh (the fetch_guests test does)" >&2
  exit 1
fi
log=$guests/boot-$flavour$(printf '%s' "$*" | tr -c 'a-z0-9' '_').log
rm -f "$log"  # a stale log must not pass
start=$(date +%s.%N)
status=0
"$softvisor" -m 256M -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 acpi=off noapic nolapic" -serial "file:$log" -no-reboot "$@" || status=$?
end=$(date +%s.%N)
echo "kernel $(basename "$kernel"), exit status $status, wall time $(elapsed "$start" "$end") s, log $log"
fail=0
check_guest_log "$log" "$status" || fail=1
[ $fail -eq 0 ] && echo "ok: $flavour kernel booted to its busybox init"
exit $fail
