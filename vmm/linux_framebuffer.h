// The framebuffer a direct Linux boot hands the kernel, as a boot loader
// with a VESA BIOS does (GRUB's gfxpayload, or vga= through the kernel's
// own real-mode setup, which direct boot never runs): the mode `vga=` asks
// for, and boot_params.screen_info describing it as a VESA linear
// framebuffer (VIDEO_TYPE_VLFB), from which Linux's sysfb starts simpledrm
// or vesafb, and fbcon draws the console on it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vmm/boot_plan.h"

namespace sv {

// Where the board puts the adapter's linear framebuffer and how big it is.
struct FramebufferOffer {
  uint64_t base = 0;
  uint32_t vram_bytes = 0;
};

// Without vga=: 1024x768, 32 bits per pixel (x8r8g8b8), 128x48 cells of
// Linux's 8x16 font.
constexpr FramebufferMode kDefaultLinuxFramebuffer{1024, 768, 32};

// The mode the command line's last `vga=` asks for. Absent: the default;
// "normal" or 0xFFFF: none (the text mode it means needs a VGA BIOS, which
// direct boot does not run); a VESA mode number as Linux takes it (0x200 +
// the VESA mode, e.g. vga=0x318 or vga=792 for 1024x768x24): the standard
// direct-colour modes 0x110-0x11B. Anything else (ask, ext, text and 8-bit
// palette modes, junk) is refused with a ConfigError naming the kernel.
std::optional<FramebufferMode> linuxFramebufferMode(std::string_view cmdline, const std::string& kernel_path);

// Fills screen_info (the first 0x40 bytes of the zero page) for `mode` at
// `offer`; the caller has checked that the mode fits in video memory.
void writeVesaScreenInfo(std::span<uint8_t> zero_page, const FramebufferMode& mode, const FramebufferOffer& offer);

}  // namespace sv
