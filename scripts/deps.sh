#!/usr/bin/env bash
# Installs the Debian 12 packages softvisor needs to build and test.
# Idempotent; needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config nasm
  libzydis-dev libzycore-dev libasmjit-dev zlib1g-dev doctest-dev
  seabios  # boot tests: /usr/share/seabios/bios.bin (and vgabios-stdvga.bin)
  libsdl2-dev libpng-dev  # the display: SDL2 window, PNG screenshots
  xvfb xauth  # display tests: a real X server for SDL windows (xvfb-run)
  xdotool  # display tests: real key events through X into the SDL window
  # scripts/fetch-guests.sh: unpack Debian packages, pack initramfs images,
  # cut the console font out of the xz-compressed kernel
  cpio gzip xz-utils
  # scripts/make-boot-media.sh: the firmware-boot disk image and ISO
  dosfstools mtools syslinux syslinux-common isolinux xorriso
)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
need_update=0
# The 32-bit guest kernel (linux-image-686) and busybox-static:i386 exist only
# in the i386 archive. Adding the architecture only makes apt fetch i386
# package lists; nothing i386 is installed by this script.
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  $SUDO dpkg --add-architecture i386
  need_update=1
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
  # A mirror that is mid-sync can fail one index (seen with
  # bookworm-security/i386); apt keeps the others, which is enough here.
  $SUDO apt-get update -qq || echo "deps.sh: warning: apt-get update reported errors; continuing with the package lists it has" >&2
fi
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
