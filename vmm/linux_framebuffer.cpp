#include "vmm/linux_framebuffer.h"

#include <array>
#include <charconv>

#include "vmm/little_endian.h"

namespace sv {

namespace {

// screen_info (include/uapi/linux/screen_info.h), at offset 0 of boot_params.
namespace si {
constexpr size_t kOrigVideoIsVga = 0x0F, kOrigVideoPoints = 0x10, kLfbWidth = 0x12, kLfbHeight = 0x14,
                 kLfbDepth = 0x16, kLfbBase = 0x18, kLfbSize = 0x1C, kLfbLineLength = 0x24, kRedSize = 0x26,
                 kPages = 0x32, kCapabilities = 0x36, kExtLfbBase = 0x3A, kSize = 0x40;
constexpr uint8_t kVideoTypeVlfb = 0x23;               // VIDEO_TYPE_VLFB: VESA VGA in graphic mode
constexpr uint32_t kCapability64BitBase = 1u << 1;     // VIDEO_CAPABILITY_64BIT_BASE
}  // namespace si

// Linux's vga= values (Documentation/admin-guide/svga.rst): 0xFFFF
// "normal", 0xFFFE "ext", 0xFFFD "ask"; VESA modes are 0x200 + the mode.
constexpr unsigned kNormalVga = 0xFFFF, kVesaBase = 0x200;

// The standard VESA direct-colour modes (VBE 1.2), as the Bochs VBE BIOS
// (SeaVGABIOS) numbers them.
struct VesaMode {
  unsigned number;
  FramebufferMode mode;
};
constexpr std::array<VesaMode, 12> kVesaModes{{
    {0x110, {640, 480, 15}},  {0x111, {640, 480, 16}},  {0x112, {640, 480, 24}},
    {0x113, {800, 600, 15}},  {0x114, {800, 600, 16}},  {0x115, {800, 600, 24}},
    {0x116, {1024, 768, 15}}, {0x117, {1024, 768, 16}}, {0x118, {1024, 768, 24}},
    {0x119, {1280, 1024, 15}}, {0x11A, {1280, 1024, 16}}, {0x11B, {1280, 1024, 24}},
}};

// The value of the last "vga=" word (Linux's boot code lets the last win).
std::optional<std::string_view> lastVgaOption(std::string_view cmdline) {
  std::optional<std::string_view> found;
  size_t pos = 0;
  while (pos < cmdline.size()) {
    while (pos < cmdline.size() && cmdline[pos] == ' ') ++pos;
    size_t end = cmdline.find(' ', pos);
    if (end == std::string_view::npos) end = cmdline.size();
    const std::string_view word = cmdline.substr(pos, end - pos);
    if (word.substr(0, 4) == "vga=") found = word.substr(4);
    pos = end;
  }
  return found;
}

// simple_strtoull(.., 0) as the boot code reads it, but junk is an error.
std::optional<unsigned> parseNumber(std::string_view v) {
  int base = 10;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) base = 16, v.remove_prefix(2);
  else if (v.size() > 1 && v[0] == '0') base = 8, v.remove_prefix(1);
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::string supportedList() {
  std::string s;
  for (const VesaMode& m : kVesaModes)
    s += (s.empty() ? "" : ", ") + hexString(m.number + kVesaBase) + " (" + std::to_string(m.mode.width) + "x" +
         std::to_string(m.mode.height) + "x" + std::to_string(m.mode.bpp) + ")";
  return s;
}

}  // namespace

std::optional<FramebufferMode> linuxFramebufferMode(std::string_view cmdline, const std::string& kernel_path) {
  const std::optional<std::string_view> option = lastVgaOption(cmdline);
  if (!option) return kDefaultLinuxFramebuffer;
  if (*option == "normal") return std::nullopt;
  const std::optional<unsigned> n = parseNumber(*option);
  if (n == kNormalVga) return std::nullopt;
  if (n && *n >= kVesaBase)
    for (const VesaMode& m : kVesaModes)
      if (m.number + kVesaBase == *n) return m.mode;
  refuseKernel(kernel_path, "vga=" + std::string(*option) +
                                " cannot be set without a VGA BIOS; direct boot offers vga=normal (no framebuffer), "
                                "no vga= (1024x768x32) or the VESA modes " + supportedList());
}

void writeVesaScreenInfo(std::span<uint8_t> zp, const FramebufferMode& mode, const FramebufferOffer& offer) {
  std::fill(zp.begin(), zp.begin() + si::kSize, 0);
  zp[si::kOrigVideoIsVga] = si::kVideoTypeVlfb;
  le::write16(zp, si::kOrigVideoPoints, 16);  // character height, as the BIOS reports it
  le::write16(zp, si::kLfbWidth, uint16_t(mode.width));
  le::write16(zp, si::kLfbHeight, uint16_t(mode.height));
  le::write16(zp, si::kLfbDepth, uint16_t(mode.bpp));
  le::write32(zp, si::kLfbBase, uint32_t(offer.base));
  if (offer.base >> 32) {
    le::write32(zp, si::kExtLfbBase, uint32_t(offer.base >> 32));
    le::write32(zp, si::kCapabilities, si::kCapability64BitBase);
  }
  le::write32(zp, si::kLfbSize, offer.vram_bytes >> 16);  // VBE's total memory, in 64 KiB units
  le::write16(zp, si::kLfbLineLength, uint16_t(mode.lineBytes()));
  // Red, green, blue and reserved field sizes and positions, as a VBE
  // mode info block gives them for Bochs VBE's direct-colour layouts.
  std::array<uint8_t, 8> fields{};
  switch (mode.bpp) {
    case 15: fields = {5, 10, 5, 5, 5, 0, 1, 15}; break;
    case 16: fields = {5, 11, 6, 5, 5, 0, 0, 0}; break;
    case 24: fields = {8, 16, 8, 8, 8, 0, 0, 0}; break;
    default: fields = {8, 16, 8, 8, 8, 0, 8, 24}; break;
  }
  std::copy(fields.begin(), fields.end(), zp.begin() + si::kRedSize);
  // VBE's NumberOfImagePages: pages that fit in video memory, minus one.
  le::write16(zp, si::kPages, uint16_t(offer.vram_bytes / (mode.lineBytes() * mode.height) - 1));
}

}  // namespace sv
