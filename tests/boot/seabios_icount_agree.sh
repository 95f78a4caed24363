#!/usr/bin/env bash
# Differential boot: SeaBIOS under -icount (deterministic virtual time) must
# print exactly the same debug log with the interpreter and with the JIT,
# and reach boot-device selection.
#   seabios_icount_agree.sh SOFTVISOR
set -u
softvisor=$1
bios=${SEABIOS_IMAGE:-/usr/share/seabios/bios.bin}
if [ ! -f "$bios" ]; then
  echo "FAIL: SeaBIOS image $bios not found: install the Debian package 'seabios' (scripts/deps.sh does)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/sv_seabios_agree_XXXXXX)
trap 'rm -rf "$dir"' EXIT
for accel in interp jit; do
  timeout 300 "$softvisor" -bios "$bios" -chardev file,id=dbg,path="$dir/$accel.log" \
    -device isa-debugcon,iobase=0x402,chardev=dbg -display none -no-reboot \
    -boot reboot-timeout=0 -icount shift=3 -accel "$accel" 2>"$dir/$accel.err"
  echo "$accel: exit $?: $(cat "$dir/$accel.err")"
done
fail=0
grep -q 'No bootable device' "$dir/interp.log" || { echo "FAIL: no boot-device selection in the log"; fail=1; }
if ! cmp -s "$dir/interp.log" "$dir/jit.log"; then
  echo "FAIL: interpreter and JIT logs differ:"
  diff "$dir/interp.log" "$dir/jit.log" | head -40
  fail=1
fi
cmp -s "$dir/interp.err" "$dir/jit.err" || { echo "FAIL: the runs stopped differently"; fail=1; }
[ $fail -eq 0 ] && echo "ok: identical SeaBIOS logs ($(wc -l <"$dir/interp.log") lines)"
exit $fail
