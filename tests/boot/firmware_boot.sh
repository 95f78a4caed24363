#!/usr/bin/env bash
# Firmware boot of Debian's 686 kernel: SeaBIOS (Debian's bios.bin) boots
# the disk image or the ISO that scripts/make-boot-media.sh built (syslinux
# / isolinux, same kernel, initramfs and command line as the direct-boot
# test), and the kernel must find the drive through ata_piix: the /init
# checks of guest_checks.sh plus the firmware's and Linux's view of the
# drive. Prints the wall time from start to the /init marker (and the CPU
# time, which a loaded machine does not stretch). The serial log
# stays next to the media.
#   firmware_boot.sh SOFTVISOR MEDIA_DIR disk|cdrom [softvisor flags...]
set -euo pipefail
source "$(dirname "$0")/guest_checks.sh"
softvisor=$1 media=$2 kind=$3
shift 3
bios=${SEABIOS_IMAGE:-/usr/share/seabios/bios.bin}
[ -f "$bios" ] || { echo "FAIL: $bios is missing (Debian package seabios; scripts/deps.sh installs it)" >&2; exit 1; }
case "$kind" in
  disk) drive=(-hda "$media/disk.img")
        wants=("Booting from Hard Disk" "SYSLINUX" "ata1.00: ATA-6: SOFTVISOR HARDDISK" "sda: sda1" "Attached SCSI disk") ;;
  cdrom) drive=(-cdrom "$media/boot.iso" -boot d)
         wants=("Booting from DVD/CD" "ISOLINUX" "ata2.00: ATAPI: SOFTVISOR CD-ROM" "[sr0] scsi3-mmc drive" "Attached scsi CD-ROM sr0") ;;
  *) echo "FAIL: unknown media kind '$kind' (disk or cdrom)" >&2; exit 1 ;;
esac
[ -f "${drive[1]}" ] || { echo "FAIL: ${drive[1]} is missing: the boot_media test builds it (scripts/make-boot-media.sh)" >&2; exit 1; }
log=$media/boot-$kind$(printf '%s' "$*" | tr -c 'a-z0-9' '_').log
rm -f "$log"
start=$(date +%s.%N)
# COM1 on stdout is flushed per line, so the marker's arrival can be timed.
"$softvisor" -bios "$bios" -m 256M "${drive[@]}" -serial stdio -no-reboot "$@" > "$log" &
pid=$!
marker_at=""
while kill -0 "$pid" 2>/dev/null; do
  if [ -z "$marker_at" ] && grep -aq SOFTVISOR-GUEST-READY "$log" 2>/dev/null; then marker_at=$(date +%s.%N); fi
  sleep 0.2
done
status=0
wait "$pid" || status=$?
end=$(date +%s.%N)
times > "$log.times"  # the second line: CPU time of softvisor (user, sys)
[ -n "$marker_at" ] || marker_at=$end
echo "$kind: exit status $status, wall time to the marker $(elapsed "$start" "$marker_at") s, total $(elapsed "$start" "$end") s" \
     "(CPU user/sys $(tail -n1 "$log.times")), log $log"
fail=0
check_guest_log "$log" "$status" "SeaBIOS (version" "reboot: Power down" "${wants[@]}" || fail=1
sed -n '/== \/proc\/partitions/,/SOFTVISOR-GUEST-DONE/p' "$log"
[ $fail -eq 0 ] && echo "ok: SeaBIOS booted the 686 kernel from the $kind and Linux found the drive"
exit $fail
