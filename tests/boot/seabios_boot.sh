#!/usr/bin/env bash
# Boots Debian's SeaBIOS (package `seabios`, installed by scripts/deps.sh)
# on softvisor with no disks and checks its debug console (port 0x402, as
# on QEMU): the version banner (also on COM1), and that it got as far as choosing a boot
# device ("No bootable device" / "Booting from"). With reboot-timeout=0
# SeaBIOS then asks for a reset, which -no-reboot turns into a clean stop.
# It also checks that SeaBIOS installed our ACPI tables through fw_cfg's
# etc/table-loader: it moves the PM base to 0x600 when that file exists,
# and it builds (and logs copying) tables of its own only when the loader
# left no RSDP.
#   seabios_boot.sh SOFTVISOR [extra softvisor flags...]
set -u
softvisor=$1; shift
bios=${SEABIOS_IMAGE:-/usr/share/seabios/bios.bin}
if [ ! -f "$bios" ]; then
  echo "FAIL: SeaBIOS image $bios not found: install the Debian package 'seabios' (scripts/deps.sh does)" >&2
  exit 1
fi
log=$(mktemp /tmp/sv_seabios_XXXXXX.log)
serial=$(mktemp /tmp/sv_seabios_com1_XXXXXX.txt)
trap 'rm -f "$log" "$serial"' EXIT
start=$(date +%s.%N)
timeout 300 "$softvisor" -bios "$bios" -chardev file,id=seabios,path="$log" \
  -device isa-debugcon,iobase=0x402,chardev=seabios -display none -no-reboot \
  -serial file:"$serial" -boot reboot-timeout=0 "$@" 2>"$log.err"
status=$?
end=$(date +%s.%N)
stderr_text=$(cat "$log.err"); rm -f "$log.err"
echo "softvisor exit status $status after $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s: $stderr_text"
echo "--- last lines of the SeaBIOS log ---"
tail -n 12 "$log"
echo "-------------------------------------"
fail=0
grep -q '^SeaBIOS (version ' "$log" || { echo "FAIL: no SeaBIOS version banner"; fail=1; }
grep -qE 'No bootable device|Booting from ' "$log" || { echo "FAIL: SeaBIOS did not reach boot device selection"; fail=1; }
grep -q '^Moving pm_base to 0x600' "$log" || { echo "FAIL: SeaBIOS did not see etc/table-loader"; fail=1; }
if grep -E '^Copying ACPI RSDP|^ACPI DSDT=|WARNING' "$log"; then
  echo "FAIL: SeaBIOS fell back to its own ACPI tables or warned"; fail=1
fi
# Without a VGA card SeaBIOS's console goes to COM1 (sercon).
grep -q 'SeaBIOS (version ' "$serial" || { echo "FAIL: no SeaBIOS banner on COM1"; fail=1; }
echo "$stderr_text" | grep -q 'guest requested a system reset' || { echo "FAIL: SeaBIOS did not end with its reset request"; fail=1; }
[ $fail -eq 0 ] && echo "ok: SeaBIOS reached boot device selection"
exit $fail
