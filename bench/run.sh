#!/usr/bin/env bash
# softvisor's benchmark: one command, figures only (never a pass/fail test).
#
#   bench/run.sh [-n RUNS] [-b BUILD_DIR] [-g GUESTS_DIR] [--no-boot] [--only PROGRAM] [--wall]
#                [--engines "native jit interp qemu"]
#
# Builds softvisor and the bench programs (CMake targets softvisor,
# bench_guests, bench_native_*), installs Debian's qemu-system-x86 when
# qemu-system-i386 is missing and we are root, then prints medians of RUNS
# runs (default 3) side by side, measured in this one run:
#  - bare-metal multiboot programs (bench/programs: the same C source built
#    as a 32-bit guest and as a native program) under softvisor -accel jit,
#    softvisor -accel interp, QEMU TCG (qemu-system-i386 -accel tcg) and
#    natively. Each engine's time is T(n) - T(1), so boot and process
#    start-up cancel out, where T is the child's CPU time (user + sys, from
#    getrusage: the machine this was written on is shared, and wall time
#    there measures the neighbours; --wall uses wall time instead), scaled to the full n (the interpreter
#    runs a smaller n and is scaled up). Every run's checksum must match
#    the native one (a mismatch is reported, not timed).
#  - Linux boots (BOOT_GUESTS below): wall time to the SOFTVISOR-GUEST-READY
#    marker and to the end (the initramfs powers off), softvisor -accel jit
#    vs QEMU TCG.
#  - peak RSS (getrusage of the child via /usr/bin/time) of each.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=3 build=$root/build guests="" boot=1 only="" wall=0 engines="native jit interp qemu"
while [ $# -gt 0 ]; do
  case $1 in
    -n) runs=$2; shift 2 ;;
    -b) build=$2; shift 2 ;;
    -g) guests=$2; shift 2 ;;
    --no-boot) boot=0; shift ;;
    --only) only=$2; shift 2 ;;
    --wall) wall=1; shift ;;
    --engines) engines=$2; shift 2 ;;
    *) echo "usage: $0 [-n RUNS] [-b BUILD_DIR] [-g GUESTS_DIR] [--no-boot] [--only PROGRAM] [--wall] [--engines LIST]" >&2; exit 2 ;;
  esac
done
[ -z "$guests" ] && guests=$build/guests

# Bare-metal programs: name, full n (about 0.1 s of native CPU time here),
# and the smaller n the interpreter runs (its time is scaled to the full n).
PROGRAMS=(
  "intloop 100000000 200000"
  "sieve 50 2"
  "fib 800 4"
  "strings 150000 300"
  "x87 20000000 40000"
)
# Linux boots: label, kernel glob, initrd, QEMU binary, the busybox the
# initramfs holds (for the native column of the in-guest workloads; only
# one this host runs: the sandbox here cannot run 32-bit code natively).
BOOT_GUESTS=(
  "amd64 vmlinuz-*-amd64 initramfs-amd64.cpio.gz qemu-system-x86_64 busybox-amd64"
  "686 vmlinuz-*-686 initramfs-i386.cpio.gz qemu-system-i386 -"
)
# The full PC (ACPI, APIC): both end at the guest's poweroff (ACPI S5).
# softvisor.bench makes /init run the workloads (scripts/fetch-guests.sh).
BOOT_APPEND="console=ttyS0 softvisor.bench"
WORKLOADS=(md5sum gzip awk)

# ---------------------------------------------------------------- setup
if ! command -v qemu-system-i386 >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >&2
  else
    echo "bench: qemu-system-i386 missing (apt-get install qemu-system-x86 as root); QEMU columns stay empty" >&2
  fi
fi
have_qemu() { command -v "$1" >/dev/null; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2 || exit 1
fi
cmake --build "$build" -j2 --target softvisor bench_guests \
  $(for p in "${PROGRAMS[@]}"; do read -r k _ <<<"$p"; echo "bench_native_$k"; done) >&2 || exit 1
sv=$build/softvisor
progs=$build/bench/programs

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# timed OUT_FILE CMD...: runs CMD, stdout to OUT_FILE; prints "seconds maxrss_kb"
# (CPU seconds, or wall seconds with --wall).
timed() {
  local out=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$out" 2>/dev/null </dev/null
  tail -n1 "$tmp/time" | awk -v wall=$wall '{printf "%.2f %s\n", wall ? $1 : $2 + $3, $4}'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mb_args=(-m 64M -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4)
run_engine() {  # engine kernel n -> "wall rss" (checksum in $tmp/out)
  local e=$1 k=$2 n=$3
  case $e in
    native) timed "$tmp/out" "$progs/bench_native_$k" "$n" ;;
    jit|interp) timed "$tmp/out" "$sv" -accel "$e" "${mb_args[@]}" -kernel "$progs/bench_$k.elf" -append "n=$n" ;;
    qemu) timed "$tmp/out" qemu-system-i386 -accel tcg "${mb_args[@]}" -display none -no-reboot \
            -kernel "$progs/bench_$k.elf" -append "n=$n" ;;
  esac
}

echo "softvisor bench: $(date -u '+%F %T') UTC, $(nproc) host CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), medians of $runs runs"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $(qemu-system-i386 --version 2>/dev/null | head -n1)"
echo
echo "Bare-metal programs: $([ $wall -eq 1 ] && echo wall || echo CPU) seconds for the full n (T(n) - T(1)), ratios to native; RSS in MiB"
printf '%-9s %11s %8s %8s %8s %8s  %8s %8s %8s %8s  %6s %6s\n' program n native jit interp qemu \
  jit/nat int/nat qemu/nat qemu/jit rssJIT rssQEMU
read -r -a engines <<<"$engines"
have_qemu qemu-system-i386 || engines=("${engines[@]/qemu/}")
for p in "${PROGRAMS[@]}"; do
  read -r k full interp_n <<<"$p"
  [ -n "$only" ] && [ "$only" != "$k" ] && continue
  want=$("$progs/bench_native_$k" 1; "$progs/bench_native_$k" "$full")
  want_small=$(echo "$want" | head -n1) want_full=$(echo "$want" | tail -n1)
  declare -A secs=() rss=()
  for e in "${engines[@]}"; do
    [ -n "$e" ] || continue
    n=$full
    [ $e = interp ] && n=$interp_n
    want_n=$want_full
    [ $e = interp ] && want_n=$("$progs/bench_native_$k" "$n")
    samples=() rsss=() bad=0
    for ((r = 0; r < runs; r++)); do
      read -r t0 _ < <(run_engine $e $k 1)
      [ "$(cat "$tmp/out")" = "$want_small" ] || bad=1
      read -r t1 m1 < <(run_engine $e $k $n)
      [ "$(cat "$tmp/out")" = "$want_n" ] || bad=1
      samples+=("$(awk -v a="$t0" -v b="$t1" -v n="$n" -v f="$full" 'BEGIN{d=b-a; if (d<0) d=0; printf "%.4f", d*(f-1)/(n-1)}')")
      rsss+=("$m1")
    done
    if [ $bad -eq 1 ]; then
      secs[$e]="BAD"
      echo "bench: $k under $e printed a wrong checksum" >&2
    else
      secs[$e]=$(printf '%s\n' "${samples[@]}" | median)
    fi
    rss[$e]=$(printf '%s\n' "${rsss[@]}" | median)
  done
  ratio() { awk -v a="${secs[$1]:-}" -v b="${secs[$2]:-}" 'BEGIN{if (a+0>0 && b+0>0) printf "%.1fx", a/b; else print "-"}'; }
  mib() { awk -v k="${1:-}" 'BEGIN{if (k+0>0) printf "%.0f", k/1024; else print "-"}'; }
  printf '%-9s %11s %8s %8s %8s %8s  %8s %8s %8s %8s  %6s %6s\n' "$k" "$full" "${secs[native]:--}" "${secs[jit]:--}" \
    "${secs[interp]:--}" "${secs[qemu]:--}" "$(ratio jit native)" "$(ratio interp native)" "$(ratio qemu native)" \
    "$(ratio qemu jit)" "$(mib "${rss[jit]:-}")" "$(mib "${rss[qemu]:-}")"
  unset secs rss
done

[ $boot -eq 1 ] || exit 0
echo
echo "Linux boots (wall seconds to SOFTVISOR-GUEST-READY and to power-off, CPU seconds to power-off, peak RSS in MiB)"
echo "and the in-guest workloads (wall seconds measured by the host between the guest's START/END lines, and by the guest)"
# boot_once ENGINE KERNEL INITRD QEMU -> "ready total cpu rss" (ready = - if the marker never came);
# each workload's host and guest seconds go to $tmp/w.NAME as "host guest".
boot_once() {
  local e=$1 kernel=$2 initrd=$3 qemu=$4 start
  local cmd
  if [ $e = jit ]; then
    cmd=("$sv" -accel jit -m 256M -kernel "$kernel" -initrd "$initrd" -append "$BOOT_APPEND" -serial stdio -no-reboot)
  else
    cmd=("$qemu" -accel tcg -m 256M -kernel "$kernel" -initrd "$initrd" -append "$BOOT_APPEND" -nographic -no-reboot)
  fi
  # $EPOCHREALTIME, not date: a fork per console line would fall behind
  # the guest's output and bunch the markers together.
  start=$EPOCHREALTIME
  rm -f "$tmp/ready" "$tmp"/w.* "$tmp"/ws.*
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "${cmd[@]}" </dev/null 2>/dev/null | while IFS= read -r line; do
    now=$EPOCHREALTIME line=${line%$'\r'}
    case $line in
      *SOFTVISOR-GUEST-READY*) awk -v a="$start" -v b="$now" 'BEGIN{printf "%.2f", b-a}' >"$tmp/ready" ;;
      *SOFTVISOR-BENCH-START*) name=${line##*SOFTVISOR-BENCH-START }; echo "$now" >"$tmp/ws.${name%%[[:space:]]*}" ;;
      *SOFTVISOR-BENCH-END*)
        read -r name guest_s _ <<<"${line#*SOFTVISOR-BENCH-END }"
        [ -f "$tmp/ws.$name" ] && awk -v a="$(cat "$tmp/ws.$name")" -v b="$now" -v g="$guest_s" \
          'BEGIN{printf "%.2f %s\n", b-a, g}' >"$tmp/w.$name" ;;
    esac
  done
  read -r total user sys kb < <(tail -n1 "$tmp/time")
  echo "$(cat "$tmp/ready" 2>/dev/null || echo -) $total $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u + s}') $kb"
}
# native_workload BUSYBOX NAME -> wall seconds of the workload on the host
native_workload() {
  local bb=$1 name=$2 t0 t1
  [ -f "$tmp/data" ] || cat "$bb" "$bb" "$bb" "$bb" >"$tmp/data"
  t0=$EPOCHREALTIME
  case $name in
    md5sum) "$bb" md5sum "$tmp/data" ;;
    gzip) "$bb" gzip -c "$tmp/data" | wc -c ;;
    awk) "$bb" awk 'BEGIN { for (i = 0; i < 1000000; i++) s = (s + i * i) % 1000003; print s }' ;;
  esac >/dev/null
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}
med() { printf '%s\n' "$@" | grep -v '^-$' | median; }
printf '%-7s %-7s %8s %8s %8s %6s' guest engine ready total cpu rss
for w in "${WORKLOADS[@]}"; do printf ' %14s' "$w(host/guest)"; done
echo
declare -A wl_host=()
for g in "${BOOT_GUESTS[@]}"; do
  read -r label kglob initrd qemu busybox <<<"$g"
  kernel=$(ls "$guests"/$kglob 2>/dev/null | head -n1)
  if [ -z "$kernel" ] || [ ! -f "$guests/$initrd" ]; then
    echo "$label: no kernel/initramfs in $guests (scripts/fetch-guests.sh $guests)"
    continue
  fi
  for e in jit qemu; do
    [ $e = qemu ] && ! have_qemu "$qemu" && continue
    readys=() totals=() cpus=() rsss=()
    declare -A wh=() wg=()
    for ((r = 0; r < runs; r++)); do
      read -r rd tt cs kb < <(boot_once $e "$kernel" "$guests/$initrd" "$qemu")
      readys+=("$rd") totals+=("$tt") cpus+=("$cs") rsss+=("$kb")
      for w in "${WORKLOADS[@]}"; do
        read -r h gs < <(cat "$tmp/w.$w" 2>/dev/null || echo "- -")
        wh[$w]+="$h " wg[$w]+="$gs "
      done
    done
    printf '%-7s %-7s %8s %8s %8s %6s' "$label" "$e" "$(med "${readys[@]}")" "$(med "${totals[@]}")" \
      "$(med "${cpus[@]}")" "$(med "${rsss[@]}" | awk '{if ($1+0>0) printf "%.0f", $1/1024; else print "-"}')"
    for w in "${WORKLOADS[@]}"; do
      # shellcheck disable=SC2086
      h=$(med ${wh[$w]}) gs=$(med ${wg[$w]})
      wl_host[$label.$e.$w]=$h
      printf ' %14s' "$h/$gs"
    done
    echo
    unset wh wg
  done
  if [ "$busybox" != - ] && [ -x "$guests/$busybox" ]; then
    printf '%-7s %-7s %8s %8s %8s %6s' "$label" native - - - -
    for w in "${WORKLOADS[@]}"; do
      samples=()
      for ((r = 0; r < runs; r++)); do samples+=("$(native_workload "$guests/$busybox" "$w")"); done
      wl_host[$label.native.$w]=$(med "${samples[@]}")
      printf ' %14s' "${wl_host[$label.native.$w]}"
    done
    echo
    printf '%-7s %-7s %8s %8s %8s %6s' "$label" ratios "" "" "" ""
    for w in "${WORKLOADS[@]}"; do
      printf ' %14s' "$(awk -v j="${wl_host[$label.jit.$w]:-}" -v q="${wl_host[$label.qemu.$w]:-}" \
        -v n="${wl_host[$label.native.$w]}" 'BEGIN{ if (j+0 > 0 && n+0 > 0) printf "jit %.0fx", j/n; else printf "-";
                                                   if (q+0 > 0 && n+0 > 0) printf " q %.0fx", q/n }')"
    done
    echo
  fi
  rm -f "$tmp/data"
done
