#!/usr/bin/env bash
# Runs softvisor with the given arguments, its debug console going to a file,
# and checks the exit status and that the console output equals a file.
#   expect_output.sh SOFTVISOR EXPECTED_STATUS EXPECTED_OUTPUT_FILE -- ARGS...
set -u
softvisor=$1 want_status=$2 want_output=$3
shift 4
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$softvisor" -debugcon "file:$out" "$@"
status=$?
ok=1
if [ "$status" != "$want_status" ]; then
  echo "FAIL: exit status $status, expected $want_status"
  ok=0
fi
if ! diff -u "$want_output" "$out"; then
  echo "FAIL: debug console output differs from $want_output"
  ok=0
fi
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
