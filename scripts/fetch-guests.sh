#!/usr/bin/env bash
# Fetches real Linux guests for boot tests from Debian 12 packages and packs a
# busybox initramfs for each of them:
#
#   DIR/vmlinuz-<version>-amd64      64-bit kernel (linux-image-amd64)
#   DIR/vmlinuz-<version>-686        32-bit non-PAE kernel (linux-image-686)
#   DIR/initramfs-amd64.cpio.gz      busybox-static:amd64 + /init
#   DIR/initramfs-i386.cpio.gz       busybox-static:i386 + /init (for -686)
#   DIR/modules-<version>/           the kernel's IDE/ATAPI storage modules (ata_piix,
#                                    sd_mod, sr_mod and what they need) + load-order,
#                                    and in floppy/ the floppy driver (not loaded by default)
#   DIR/font-8x16-<version>.bin      the kernel's built-in 8x16 console font (font_vga_8x16,
#                                    4 KiB), for tests that read fbcon's text from the screen
#   DIR/guests.txt                   what was fetched (package versions)
#   DIR/debs/                        the downloaded .deb files (cache)
#
# Usage: scripts/fetch-guests.sh [DIR]      (default: build/guests)
#
# Idempotent: whatever is present and valid is kept. Needs no root: packages
# are fetched with `apt-get download` from the package lists apt already has.
# The -686 kernel and busybox-static:i386 live in Debian's i386 archive, so
# apt must know the i386 architecture: scripts/deps.sh adds it (as root:
# `dpkg --add-architecture i386 && apt-get update`). Without it this script
# stops with that advice; FETCH_GUESTS_ARCHES=amd64 fetches the 64-bit guest
# only. Nothing fetched here belongs in git.
#
# The /init of the initramfs mounts proc, sys and dev, prints the marker line
# SOFTVISOR-GUEST-READY on the console, runs a few commands, prints
# SOFTVISOR-GUEST-DONE and powers off. Boot it with console=ttyS0. Before
# the marker it loads the storage modules (ata_piix, sd_mod, sr_mod), and
# afterwards lists /proc/partitions and the kernel's ATA/SCSI messages. With
# "softvisor.floppy" on the kernel command line it also loads the floppy
# driver and prints the md5sum of the whole of /dev/fd0. With
# "softvisor.shell" on the kernel command line it prints
# SOFTVISOR-SHELL-READY after the commands and runs a shell on the console
# (typed input over the serial port) before powering off. With
# "softvisor.bench" it first runs bench/run.sh's workloads (md5sum, gzip,
# an awk loop), each between SOFTVISOR-BENCH-START/END lines.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="${1:-$repo_root/build/guests}"
arches="${FETCH_GUESTS_ARCHES:-amd64 i386}"
marker="SOFTVISOR-GUEST-READY"

die() { echo "fetch-guests: error: $*" >&2; exit 1; }
note() { echo "fetch-guests: $*"; }

for tool in apt-get apt-cache dpkg-deb cpio gzip xz; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (run scripts/deps.sh as root)"
done

mkdir -p "$out_dir/debs"
out_dir="$(cd "$out_dir" && pwd)"
debs="$out_dir/debs"
# Leave nothing half-made behind when a step fails.
trap 'rm -rf "$out_dir"/.extract.* "$out_dir"/.initramfs.* "$out_dir"/*.tmp' EXIT
# As root, apt would hand the download to its unprivileged _apt user, who
# cannot write here; it then warns and downloads as root anyway.
apt_download_opts=(-q)
[ "$(id -u)" -eq 0 ] && apt_download_opts+=(-o APT::Sandbox::User=root)

# Debian architecture -> (kernel metapackage, kernel flavour).
kernel_meta() { case "$1" in amd64) echo linux-image-amd64 ;; i386) echo linux-image-686 ;; esac; }
kernel_flavour() { case "$1" in amd64) echo amd64 ;; i386) echo 686 ;; esac; }

if [[ " $arches " == *" i386 "* ]] && [ "$(dpkg --print-architecture)" != i386 ] &&
   ! dpkg --print-foreign-architectures | grep -qx i386; then
  die "apt does not know the i386 architecture, which the -686 kernel and busybox-static:i386 come from.
  Run scripts/deps.sh as root (it runs: dpkg --add-architecture i386 && apt-get update),
  or set FETCH_GUESTS_ARCHES=amd64 to fetch the 64-bit guest only."
fi

# The concrete package behind a metapackage, e.g. linux-image-6.1.0-56-amd64.
resolve_kernel_package() {
  local meta="$1:$2" pkg
  pkg="$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }')"
  [ -n "$pkg" ] || die "cannot resolve $meta to a linux-image-6.1.0-* package (is 'apt-get update' done, with the $2 architecture?)"
  echo "$pkg"
}

# Prints the path of a valid cached .deb of package:arch, downloading it if needed.
fetch_deb() {
  local pkg="$1" arch="$2" version deb
  version="$(apt-cache policy "$pkg:$arch" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')"
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "package $pkg:$arch is not in apt's package lists (run apt-get update)"
  # apt-get download names files with the epoch's ':' encoded as %3a.
  deb="$debs/${pkg}_${version//:/%3a}_${arch}.deb"
  if [ -f "$deb" ] && dpkg-deb --info "$deb" >/dev/null 2>&1; then
    echo "$deb"; return
  fi
  rm -f "$deb"
  note "downloading $pkg:$arch $version" >&2
  if ! (cd "$debs" && apt-get download "${apt_download_opts[@]}" "$pkg:$arch=$version" >&2); then
    die "download of $pkg:$arch $version failed (network or mirror problem; see apt's message above)"
  fi
  [ -f "$deb" ] && dpkg-deb --info "$deb" >/dev/null 2>&1 || die "downloaded $deb is missing or not a valid .deb"
  echo "$deb"
}

# A bzImage carries "HdrS" at offset 0x202 (Linux boot protocol).
valid_bzimage() { [ -s "$1" ] && [ "$(dd if="$1" bs=1 skip=514 count=4 status=none)" = "HdrS" ]; }
valid_elf() { [ -s "$1" ] && [ "$(dd if="$1" bs=1 skip=1 count=3 status=none)" = "ELF" ]; }

# Extracts one member of a .deb to dest (atomically).
extract_member() {
  local deb="$1" member="$2" dest="$3" tmp
  tmp="$(mktemp -d "$out_dir/.extract.XXXXXX")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$member" || { rm -rf "$tmp"; die "$deb has no $member"; }
  mv "$tmp/$member" "$dest"
  rm -rf "$tmp"
}

# Storage modules for the firmware-boot tests: the PIIX IDE driver and the
# SCSI disk and CD-ROM drivers, with what they depend on, in load order;
# the floppy driver apart (the /init loads it only when asked).
# The .deb has no modules.dep (depmod makes it at install time): the
# dependencies come from each module's .modinfo "depends=" field.
storage_modules="ata_piix sd_mod sr_mod"
floppy_modules="floppy"
#   extract_modules DEB KVER DEST "MODULE..."
extract_modules() {
  local deb="$1" kver="$2" dest="$3" modules="$4" tmp base
  tmp="$(mktemp -d "$out_dir/.extract.XXXXXX")"
  base="./lib/modules/$kver"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$base/modules.order" ||
    { rm -rf "$tmp"; die "$deb has no $base/modules.order"; }
  local -A path=() deps=()
  # Module names treat '-' and '_' alike.
  path_of() { awk -v n="${1//-/_}.ko" '{ b = $0; sub(/.*\//, "", b); gsub(/-/, "_", b); if (b == n) { print; exit } }' "$tmp/$base/modules.order"; }
  local wanted=($modules) m p fresh
  while [ ${#wanted[@]} -gt 0 ]; do
    fresh=()
    for m in "${wanted[@]}"; do
      m="${m//-/_}"
      [ -n "${path[$m]:-}" ] && continue
      p="$(path_of "$m")"
      [ -n "$p" ] || { rm -rf "$tmp"; die "module $m is not in $kver's modules.order"; }
      path[$m]="$p"
      fresh+=("$m")
    done
    [ ${#fresh[@]} -gt 0 ] || break
    local members=()
    for m in "${fresh[@]}"; do members+=("$base/${path[$m]}"); done
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "${members[@]}"
    wanted=()
    for m in "${fresh[@]}"; do
      deps[$m]="$(tr '\0' '\n' < "$tmp/$base/${path[$m]}" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' ')"
      wanted+=(${deps[$m]})
    done
  done
  local -A placed=()
  local order=()
  place() {
    local d
    [ -n "${placed[$1]:-}" ] && return
    placed[$1]=1
    for d in ${deps[$1]}; do place "${d//-/_}"; done
    order+=("$1")
  }
  for m in $modules; do place "$m"; done
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  for m in "${order[@]}"; do
    cp "$tmp/$base/${path[$m]}" "$dest.tmp/"
    basename "${path[$m]}" >> "$dest.tmp/load-order"
  done
  rm -rf "$tmp" "$dest" && mv "$dest.tmp" "$dest"
  note "extracted modules to $(basename "$dest"): $(tr '\n' ' ' < "$dest/load-order")"
}

# Linux's own 8x16 console font (font_vga_8x16, what fbcon draws with), cut
# from the kernel: Debian compresses it with xz inside the bzImage, and the
# table (256 glyphs of 16 bytes) is found by its 'A'. It differs from the
# VGA BIOS's font in a few glyphs (0, m, w, T ...), so tests that read the
# screen need this one. The test that reads it checks glyph 0 is empty and
# 0xDB a full block.
font_glyph_a='\x00\x00\x10\x38\x6c\xc6\xc6\xfe\xc6\xc6\xc6\xc6\x00\x00\x00\x00'
extract_console_font() {
  local vmlinuz="$1" dest="$2" off tmp a
  off="$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)"
  [ -n "$off" ] || die "$vmlinuz holds no xz-compressed kernel (where its console font would be)"
  tmp="$(mktemp "$out_dir/.extract.XXXXXX")"
  # --single-stream stops at the stream's end, before the bzImage's trailer
  # (so the reader's SIGPIPE must not count: no pipeline here).
  xz -dc --single-stream < <(tail -c +"$((off + 1))" "$vmlinuz") > "$tmp" ||
    { rm -f "$tmp"; die "cannot decompress the kernel in $vmlinuz"; }
  a="$(LC_ALL=C grep -obUaP "$font_glyph_a" "$tmp" | head -n1 | cut -d: -f1)"
  if [ -z "$a" ] || [ "$a" -lt $((0x41 * 16)) ]; then rm -f "$tmp"; die "no 8x16 console font found in $vmlinuz"; fi
  dd if="$tmp" of="$dest.tmp" bs=4096 count=1 iflag=skip_bytes skip=$((a - 0x41 * 16)) status=none
  rm -f "$tmp"
  [ "$(stat -c %s "$dest.tmp")" -eq 4096 ] || die "the console font cut from $vmlinuz is truncated"
  mv "$dest.tmp" "$dest"
  note "extracted the kernel's 8x16 console font to $(basename "$dest")"
}

write_init() {
  cat > "$1" <<EOF
#!/bin/sh
# softvisor boot-test init (generated by scripts/fetch-guests.sh)
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
# The archive has no /dev/console node (packing it needs no root that way):
# talk to the console through devtmpfs.
exec 0</dev/console 1>/dev/console 2>&1
if [ -f /lib/modules/load-order ]; then
  while read -r m; do insmod "/lib/modules/\$m" || echo "insmod \$m failed"; done < /lib/modules/load-order
fi
echo
echo "$marker"
echo "== uname -a"
uname -a
echo "== /proc/cpuinfo"
head -n 16 /proc/cpuinfo
echo "== dmesg errors"
dmesg | grep -iE 'error|fail|bug|panic|warn' | head -n 30
echo "== md5sum /bin/busybox"
md5sum /bin/busybox
echo "== /proc/partitions"
cat /proc/partitions
echo "== storage"
dmesg | grep -E 'ata[0-9]|scsi|sd [0-9]|sr [0-9]|sr[0-9]|sd[a-z]' | head -n 40
for f in /sys/class/ata_device/*/xfer_mode; do [ -f "\$f" ] && echo "\$f: \$(cat "\$f")"; done
if grep -qw softvisor.floppy /proc/cmdline && [ -f /lib/modules/floppy/load-order ]; then
  while read -r m; do insmod "/lib/modules/floppy/\$m" || echo "insmod \$m failed"; done < /lib/modules/floppy/load-order
  echo "== floppy"
  dd if=/dev/fd0 of=/tmp/fd0 bs=18k 2>&1 | tail -n 1
  echo "fd0 md5sum: \$(md5sum < /tmp/fd0)"
  dmesg | grep -iE 'floppy|fd0|fdc' | head -n 10
fi
echo "SOFTVISOR-GUEST-DONE"
if grep -qw softvisor.bench /proc/cmdline; then
  # bench/run.sh's in-guest workloads on 4 copies of the busybox binary:
  # the host times each between its START and END lines, the guest by
  # /proc/uptime (printed on the END line with the result).
  cat /bin/busybox /bin/busybox /bin/busybox /bin/busybox > /tmp/data
  workload() {
    name=\$1; shift
    echo "SOFTVISOR-BENCH-START \$name"
    t0=\$(cut -d' ' -f1 /proc/uptime)
    result=\$("\$@" 2>&1 | head -c 48)
    t1=\$(cut -d' ' -f1 /proc/uptime)
    echo "SOFTVISOR-BENCH-END \$name \$(awk -v a=\$t0 -v b=\$t1 'BEGIN{printf "%.2f", b - a}') \$result"
  }
  workload md5sum md5sum /tmp/data
  workload gzip sh -c 'gzip -c /tmp/data | wc -c'
  workload awk awk 'BEGIN { for (i = 0; i < 1000000; i++) s = (s + i * i) % 1000003; print s }'
  echo "SOFTVISOR-BENCH-DONE"
fi
if grep -qw softvisor.shell /proc/cmdline; then
  echo "SOFTVISOR-SHELL-READY"
  # A session of its own with the console as controlling terminal, so job
  # control and Ctrl-C work (PID 1 leads a session without one). Run in a
  # child, which setsid need not fork, so /init waits for the shell.
  sh -c 'exec setsid cttyhack sh'
fi
poweroff -f
EOF
  chmod 755 "$1"
}

# initramfs for one architecture from its busybox; rebuilt when missing,
# corrupt, or older than this script (the /init text lives here).
pack_initramfs() {
  local arch="$1" busybox="$2" modules="$3" image="$out_dir/initramfs-$1.cpio.gz" stage
  if [ -f "$image" ] && gzip -t "$image" 2>/dev/null && [ "$image" -nt "$0" ] && [ "$image" -nt "$busybox" ] &&
     [ "$image" -nt "$modules/load-order" ]; then
    note "initramfs-$arch.cpio.gz is up to date"; return
  fi
  stage="$(mktemp -d "$out_dir/.initramfs.XXXXXX")"
  mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp"
  cp "$busybox" "$stage/bin/busybox"
  chmod 755 "$stage/bin/busybox"
  ln -s busybox "$stage/bin/sh"
  mkdir -p "$stage/lib/modules"
  cp -r "$modules"/* "$stage/lib/modules/"
  write_init "$stage/init"
  # Same inputs, same bytes: fixed times, sorted names, no inode/device
  # numbers, no gzip timestamp.
  find "$stage" -exec touch -h -d @0 {} +
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n > "$image.tmp"
  mv "$image.tmp" "$image"
  rm -rf "$stage"
  note "packed initramfs-$arch.cpio.gz ($(stat -c %s "$image") bytes)"
}

manifest="$out_dir/guests.txt.tmp"
: > "$manifest"
for arch in $arches; do
  case "$arch" in amd64|i386) ;; *) die "unknown architecture '$arch' in FETCH_GUESTS_ARCHES (amd64, i386)";; esac
  flavour="$(kernel_flavour "$arch")"
  kpkg="$(resolve_kernel_package "$(kernel_meta "$arch")" "$arch")"
  kver="${kpkg#linux-image-}"                       # 6.1.0-56-amd64
  vmlinuz="$out_dir/vmlinuz-$kver"
  kdeb=""
  if valid_bzimage "$vmlinuz"; then
    note "vmlinuz-$kver is present"
  else
    kdeb="$(fetch_deb "$kpkg" "$arch")"
    extract_member "$kdeb" "boot/vmlinuz-$kver" "$vmlinuz"
    valid_bzimage "$vmlinuz" || die "$vmlinuz from $kdeb is not a bzImage (no HdrS at 0x202)"
    note "extracted vmlinuz-$kver ($(stat -c %s "$vmlinuz") bytes)"
  fi
  font="$out_dir/font-8x16-$kver.bin"
  if [ -f "$font" ] && [ "$(stat -c %s "$font")" -eq 4096 ] && [ "$font" -nt "$vmlinuz" ]; then
    note "font-8x16-$kver.bin is present"
  else
    extract_console_font "$vmlinuz" "$font"
  fi
  busybox="$out_dir/busybox-$arch"
  if valid_elf "$busybox"; then
    note "busybox-$arch is present"
  else
    bdeb="$(fetch_deb busybox-static "$arch")"
    extract_member "$bdeb" "bin/busybox" "$busybox"
    valid_elf "$busybox" || die "$busybox from $bdeb is not an ELF binary"
  fi
  modules="$out_dir/modules-$kver"
  if [ -s "$modules/load-order" ] && [ -s "$modules/floppy/load-order" ]; then
    note "modules-$kver is present"
  else
    [ -n "$kdeb" ] || kdeb="$(fetch_deb "$kpkg" "$arch")"
    extract_modules "$kdeb" "$kver" "$modules" "$storage_modules"
    extract_modules "$kdeb" "$kver" "$modules/floppy" "$floppy_modules"
  fi
  pack_initramfs "$arch" "$busybox" "$modules"
  echo "$arch kernel=$kpkg $(apt-cache policy "$kpkg:$arch" | awk '$1 == "Candidate:" { print $2 }') flavour=$flavour busybox-static=$(apt-cache policy "busybox-static:$arch" | awk '$1 == "Candidate:" { print $2 }')" >> "$manifest"
  # The .deb of a kernel is ~70 MB of modules we never use: keep only vmlinuz.
  if [ -n "$kdeb" ]; then rm -f "$kdeb"; fi
done
mv "$manifest" "$out_dir/guests.txt"
note "done: guests in $out_dir"
