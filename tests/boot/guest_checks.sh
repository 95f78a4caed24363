# Shared checks of a serial log from the busybox /init that
# scripts/fetch-guests.sh packs (sourced by the Linux boot tests).
#   check_guest_log LOG EXIT_STATUS [EXTRA_WANTED_LINE...]
# Wants the kernel banner, /init running to its end, exit status 0 and no
# oops or panic (the caller names how the guest ends, e.g. "reboot: Power
# down" for ACPI S5); prints the /init's dmesg-errors
# section. Returns non-zero on any failure.
check_guest_log() {
  local log=$1 status=$2 fail=0 want
  shift 2
  for want in "Linux version" "Run /init as init process" "SOFTVISOR-GUEST-READY" "== uname -a" \
              "SOFTVISOR-GUEST-DONE" "$@"; do
    grep -aqF -- "$want" "$log" || { echo "FAIL: '$want' missing from the serial log" >&2; fail=1; }
  done
  [ "$status" -eq 0 ] || { echo "FAIL: softvisor exited with $status" >&2; fail=1; }
  # Kernel oopses and panics are failures whatever else happened.
  if grep -aE "Kernel panic|BUG:|Oops|general protection fault|invalid opcode" "$log" >&2; then fail=1; fi
  sed -n '/== dmesg errors/,/== md5sum/p' "$log"
  return $fail
}

# Seconds (one decimal) between two `date +%s.%N` stamps.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
