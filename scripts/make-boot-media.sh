#!/usr/bin/env bash
# Builds bootable media for the firmware-boot tests from Debian packages,
# without root (no loop mounts): the 686 kernel and busybox initramfs that
# scripts/fetch-guests.sh prepared, with the same kernel command line as the
# direct-boot test.
#   OUT/disk.img  raw disk: syslinux MBR, one active FAT16 partition at
#                 1 MiB (mkfs.vfat --offset), files copied with mtools,
#                 made bootable with `syslinux --install --offset`
#   OUT/boot.iso  El Torito (no emulation) ISO with isolinux (xorriso)
#   OUT/floppy.img  (with MULTIBOOT) a 1.44 MB FAT12 floppy made bootable
#                 with `syslinux --install`, whose syslinux.cfg starts
#                 mboot.c32 with the multiboot program MULTIBOOT
# Packages: dosfstools mtools syslinux syslinux-common isolinux xorriso
# (scripts/deps.sh installs them).
#   make-boot-media.sh GUEST_DIR OUT_DIR [MULTIBOOT]
set -euo pipefail
guests=$1 out=$2 multiboot=${3:-}
die() { echo "make-boot-media: error: $*" >&2; exit 1; }

kernel=$(ls "$guests"/vmlinuz-*-686 2>/dev/null | head -n1 || true)
initrd=$guests/initramfs-i386.cpio.gz
[ -n "$kernel" ] && [ -f "$initrd" ] || die "no 686 kernel or i386 initramfs in $guests (run scripts/fetch-guests.sh)"
for tool in mkfs.vfat mcopy syslinux xorriso; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || die "$tool is missing (scripts/deps.sh installs it)"
done
mbr=/usr/lib/syslinux/mbr/mbr.bin
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
for f in "$mbr" "$isolinux" "$ldlinux"; do [ -f "$f" ] || die "$f is missing (packages syslinux, syslinux-common, isolinux)"; done
mkdir -p "$out"
export PATH=$PATH:/usr/sbin
stage=$(mktemp -d "$out/.media.XXXXXX")
trap 'rm -rf "$stage" "$out/disk.img.tmp" "$out/boot.iso.tmp" "$out/floppy.img.tmp"' EXIT

append="console=ttyS0"
config() {
  printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.gz %s\n' "$append"
}

# --- the disk image ---------------------------------------------------------
disk=$out/disk.img
size_mib=64
part_start=2048                                   # sectors (1 MiB)
part_sectors=$(( size_mib * 2048 - part_start ))
rm -f "$disk" "$disk.tmp"
truncate -s ${size_mib}M "$disk.tmp"
# FAT16 inside the partition; hidden sectors = the partition's start.
mkfs.vfat -F 16 -n SOFTVISOR -h $part_start --offset $part_start "$disk.tmp" $(( part_sectors / 2 )) >/dev/null
fat="$disk.tmp@@$(( part_start * 512 ))"
config > "$stage/syslinux.cfg"
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$fat" "$kernel" ::/vmlinuz
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$fat" "$initrd" ::/initrd.gz
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$fat" "$stage/syslinux.cfg" ::/syslinux.cfg
syslinux --install --offset $(( part_start * 512 )) "$disk.tmp"
# Master boot record: syslinux's boot code (440 bytes), then one partition
# entry, active, type 0Eh (FAT16, LBA), CHS fields saturated (LBA is used),
# and the 55AA signature.
dd if="$mbr" of="$disk.tmp" conv=notrunc bs=440 count=1 status=none
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( $1 & 255 )) $(( $1 >> 8 & 255 )) $(( $1 >> 16 & 255 )) $(( $1 >> 24 & 255 )); }
entry="\\x80\\xfe\\xff\\xff\\x0e\\xfe\\xff\\xff$(le32 $part_start)$(le32 $part_sectors)"
printf "$entry" | dd of="$disk.tmp" conv=notrunc bs=1 seek=446 status=none
printf '\x55\xaa' | dd of="$disk.tmp" conv=notrunc bs=1 seek=510 status=none
mv "$disk.tmp" "$disk"

# --- the ISO ----------------------------------------------------------------
iso=$out/boot.iso
tree=$stage/iso
mkdir -p "$tree/isolinux"
cp "$isolinux" "$ldlinux" "$tree/isolinux/"
config > "$tree/isolinux/isolinux.cfg"
cp "$kernel" "$tree/vmlinuz"
cp "$initrd" "$tree/initrd.gz"
xorriso -as mkisofs -quiet -o "$iso.tmp" -V SOFTVISOR -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$tree" 2>/dev/null
mv "$iso.tmp" "$iso"
echo "make-boot-media: $disk ($size_mib MiB) and $iso ($(stat -c %s "$iso") bytes) from $(basename "$kernel")"

# --- the floppy ---------------------------------------------------------------
# syslinux (ldlinux.sys/.c32 in the FAT12 root) loads mboot.c32 and its
# libcom32.c32, which load the multiboot program: some 800 sectors that
# SeaBIOS reads through the floppy controller and ISA DMA.
if [ -n "$multiboot" ]; then
  [ -f "$multiboot" ] || die "multiboot program $multiboot is missing"
  modules=/usr/lib/syslinux/modules/bios
  for f in mboot.c32 libcom32.c32; do [ -f "$modules/$f" ] || die "$modules/$f is missing (package syslinux-common)"; done
  floppy=$out/floppy.img
  rm -f "$floppy" "$floppy.tmp"
  mkfs.vfat -C -F 12 -n SVFLOPPY "$floppy.tmp" 1440 >/dev/null
  printf 'SERIAL 0 115200\nDEFAULT hello\nPROMPT 0\nTIMEOUT 0\nLABEL hello\n  KERNEL mboot.c32\n  APPEND /hello.bin\n' > "$stage/floppy.cfg"
  MTOOLS_SKIP_CHECK=1 mcopy -o -i "$floppy.tmp" "$modules/mboot.c32" "$modules/libcom32.c32" ::/
  MTOOLS_SKIP_CHECK=1 mcopy -o -i "$floppy.tmp" "$multiboot" ::/hello.bin
  MTOOLS_SKIP_CHECK=1 mcopy -o -i "$floppy.tmp" "$stage/floppy.cfg" ::/syslinux.cfg
  syslinux --install "$floppy.tmp"
  mv "$floppy.tmp" "$floppy"
  echo "make-boot-media: $floppy (1.44 MB, syslinux + mboot.c32 + $(basename "$multiboot"))"
fi
