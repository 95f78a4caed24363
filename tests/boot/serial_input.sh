#!/usr/bin/env bash
# Interactive serial input, scripted: boots Debian's 686 kernel directly
# with "softvisor.shell" (the initramfs's /init then runs a busybox shell on
# ttyS0), with -serial stdio reading a pipe. Once the shell is ready the
# test types a command whose output differs from its echo, waits for that
# output, then types "poweroff -f": ACPI S5 must end softvisor with status 0.
#   serial_input.sh SOFTVISOR GUEST_DIR [softvisor flags...]
# SERIAL_INPUT_APPEND adds kernel parameters (e.g. "noapic nolapic": then
# the 8259 alone delivers the interrupts, the HPET ticking through it).
set -uo pipefail
softvisor=$1 guests=$2
shift 2
kernel=$(ls "$guests"/vmlinuz-*-686 2>/dev/null | head -n1 || true)
initrd=$guests/initramfs-i386.cpio.gz
if [ -z "$kernel" ] || [ ! -f "$initrd" ]; then
  echo "FAIL: no 686 kernel or i386 initramfs in $guests: run scripts/fetch-guests.sh (the fetch_guests test does)" >&2
  exit 1
fi
extra=${SERIAL_INPUT_APPEND:-}
log=$guests/serial-input${extra:+-${extra// /-}}.log
work=$(mktemp -d /tmp/sv_serial_input_XXXXXX)
trap 'exec 3>&- 2>/dev/null; kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/in"
"$softvisor" -m 256M -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 softvisor.shell${extra:+ $extra}" \
  -serial stdio -no-reboot "$@" < "$work/in" > "$log" 2> "$work/err" &
pid=$!
exec 3> "$work/in"
# Waits up to $2 seconds for the fixed string $1 in the serial log.
wait_for() {
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    grep -qF -- "$1" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
fail=0
if wait_for "SOFTVISOR-SHELL-READY" 800; then
  sleep 1
  printf 'echo "typed: $((6 * 7))"\n' >&3
  wait_for "typed: 42" 120 || { echo "FAIL: the typed command's output 'typed: 42' never appeared" >&2; fail=1; }
  printf 'poweroff -f\n' >&3
else
  echo "FAIL: the shell never became ready" >&2
  fail=1
fi
exec 3>&-
status=0
for ((i = 0; i < 240; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill "$pid" 2>/dev/null && { echo "FAIL: softvisor still running after poweroff" >&2; fail=1; }
wait "$pid" || status=$?
echo "exit status $status: $(cat "$work/err")"
[ "$status" -eq 0 ] || { echo "FAIL: softvisor exited with $status" >&2; fail=1; }
grep -q "reboot: Power down" "$log" || { echo "FAIL: no ACPI power-down in the log" >&2; fail=1; }
tail -n 8 "$log"
[ $fail -eq 0 ] && echo "ok: a command typed on the serial port ran in the guest's shell"
exit $fail
