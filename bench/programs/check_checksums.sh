#!/usr/bin/env bash
# Smoke test of the bench programs (not a timing): each guest, run under
# softvisor with the JIT and with the interpreter, must print the checksum
# its native build prints for the same n.
#   check_checksums.sh SOFTVISOR BENCH_BUILD_DIR KERNEL...
set -uo pipefail
softvisor=$1 dir=$2
shift 2
n=2
fail=0
for k in "$@"; do
  want=$("$dir/bench_native_$k" $n)
  accels="jit interp"
  # One 1 MiB sieve round is ~15 M instructions: minutes for the
  # interpreter on a loaded machine; the JIT covers it.
  [ "$k" = sieve ] && accels=jit
  for accel in $accels; do
    got=$(timeout 120 "$softvisor" -accel $accel -m 64M -kernel "$dir/bench_$k.elf" -append "n=$n" -serial stdio \
          -device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null 2>&1)
    status=$?
    if [ "$got" != "$want" ] || [ $status -ne 1 ]; then
      echo "FAIL: $k under -accel $accel printed '$got' (exit $status), native printed '$want'" >&2
      fail=1
    else
      echo "ok: $k -accel $accel: $got"
    fi
  done
done
exit $fail
