#!/usr/bin/env bash
# Boots a Debian kernel fetched by scripts/fetch-guests.sh directly
# (-kernel/-initrd) with its busybox initramfs and checks that /init ran:
# the SOFTVISOR-GUEST-READY marker, the commands, SOFTVISOR-GUEST-DONE, and
# a clean end (poweroff -f powers off through ACPI S5; softvisor exits 0),
# with ACPI on and no ACPI errors, and the i8042 probed. The serial log
# stays in the build tree as the test's artifact.
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
  -append "console=ttyS0" -serial "file:$log" -no-reboot "$@" || status=$?
end=$(date +%s.%N)
echo "kernel $(basename "$kernel"), exit status $status, wall time $(elapsed "$start" "$end") s, log $log"
fail=0
# The whole board in use: ACPI (tables, PM timer, S5 power-off), the i8042,
# the I/O APIC with the timer on pin 2.
check_guest_log "$log" "$status" "reboot: Power down" "ACPI: Interpreter enabled" "ACPI: PM: (supports S0 S5)" \
  "ACPI: PM-Timer IO Port: 0x608" "serio: i8042 KBD port at 0x60,0x64 irq 1" \
  "IOAPIC[0]: apic_id" "..TIMER: vector=0x30 apic1=0 pin1=2" || fail=1
# The local APIC timer and the timer through the I/O APIC must work.
if grep -aE "MP-BIOS bug|APIC frequency too slow|timer doesn't work" "$log" >&2; then fail=1; fi
# On the deterministic clock every calibration agrees: the APIC timer
# passes its verification against the PIT's jiffies and matches the ACPI PM
# timer, and the TSC calibrates against the PIT. (With host time a loaded
# host delays the periodic tick Linux counts, so it can fail all three.)
case " $* " in
  *" -icount "*)
    if grep -aE "APIC timer disabled|APIC calibration not consistent|Unable to calibrate against PIT" "$log" >&2; then fail=1; fi
    grep -aq "tsc: Detected" "$log" || { echo "FAIL: no TSC frequency detected" >&2; fail=1; } ;;
esac
# So are complaints about our firmware tables.
if grep -aE "ACPI Error|ACPI BIOS Error|ACPI Warning|i8042: No controller found" "$log" >&2; then fail=1; fi
[ $fail -eq 0 ] && echo "ok: $flavour kernel booted to its busybox init"
exit $fail
