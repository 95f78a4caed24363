// The framebuffer a direct Linux boot hands over: which mode vga= asks
// for, and screen_info as a VESA linear framebuffer (zero-page.rst,
// include/uapi/linux/screen_info.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fake_bzimage.h"
#include "vmm/linux_boot.h"
#include "vmm/linux_framebuffer.h"
#include "vmm/little_endian.h"
#include "vmm/machine_config.h"

using namespace sv;

namespace {
constexpr uint64_t MiB = 1ull << 20;
constexpr FramebufferOffer kOffer{0xFD000000, 16 << 20};

std::string refusal(const std::string& cmdline) {
  try {
    linuxFramebufferMode(cmdline, "test/vmlinuz");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const MemoryWrite& zeroPage(const BootPlan& plan) {
  for (const MemoryWrite& w : plan.writes)
    if (w.what == "boot_params") return w;
  FAIL("no boot_params in the plan");
  throw 0;
}
}  // namespace

TEST_CASE("vga= picks the direct-boot framebuffer mode as Linux's setup code reads it") {
  CHECK(linuxFramebufferMode("console=ttyS0", "k") == kDefaultLinuxFramebuffer);
  CHECK(kDefaultLinuxFramebuffer == FramebufferMode{1024, 768, 32});
  CHECK(linuxFramebufferMode("console=ttyS0 vga=normal", "k") == std::nullopt);
  CHECK(linuxFramebufferMode("vga=0xFFFF", "k") == std::nullopt);
  CHECK(linuxFramebufferMode("vga=0x318 quiet", "k") == FramebufferMode{1024, 768, 24});
  CHECK(linuxFramebufferMode("vga=792", "k") == FramebufferMode{1024, 768, 24});  // decimal 0x318
  CHECK(linuxFramebufferMode("vga=0x311", "k") == FramebufferMode{640, 480, 16});
  CHECK(linuxFramebufferMode("vga=0x313", "k") == FramebufferMode{800, 600, 15});
  CHECK(linuxFramebufferMode("vga=0x31B", "k") == FramebufferMode{1280, 1024, 24});
  // The last vga= wins; "novga=" and "xvga=" are other words.
  CHECK(linuxFramebufferMode("vga=normal vga=0x317", "k") == FramebufferMode{1024, 768, 16});
  CHECK(linuxFramebufferMode("novga=1 xvga=ask", "k") == kDefaultLinuxFramebuffer);
}

TEST_CASE("vga= values direct boot cannot honour are refused with the choices") {
  for (const char* bad : {"vga=ask", "vga=ext", "vga=0x301", "vga=0x0F00", "vga=0x318x", "vga=", "vga=0x31C"}) {
    CAPTURE(bad);
    const std::string why = refusal(bad);
    CHECK(why.find("test/vmlinuz") != std::string::npos);
    CHECK(why.find(std::string(bad)) != std::string::npos);
    CHECK(why.find("0x318 (1024x768x24)") != std::string::npos);
  }
}

TEST_CASE("screen_info describes a VESA linear framebuffer") {
  std::vector<uint8_t> zp(4096, 0xEE);
  writeVesaScreenInfo(zp, {1024, 768, 32}, kOffer);
  CHECK(zp[0x0F] == 0x23);                   // orig_video_isVGA = VIDEO_TYPE_VLFB
  CHECK(le::read16(zp, 0x10) == 16);         // orig_video_points
  CHECK(le::read16(zp, 0x12) == 1024);       // lfb_width
  CHECK(le::read16(zp, 0x14) == 768);        // lfb_height
  CHECK(le::read16(zp, 0x16) == 32);         // lfb_depth
  CHECK(le::read32(zp, 0x18) == 0xFD000000); // lfb_base
  CHECK(le::read32(zp, 0x1C) == 256);        // lfb_size: 16 MiB in 64 KiB units
  CHECK(le::read16(zp, 0x24) == 4096);       // lfb_linelength
  const std::vector<uint8_t> colours(zp.begin() + 0x26, zp.begin() + 0x2E);
  CHECK(colours == std::vector<uint8_t>{8, 16, 8, 8, 8, 0, 8, 24});  // red, green, blue, rsvd: size, pos
  CHECK(le::read16(zp, 0x32) == 4);          // pages: 5 screens fit, minus one
  CHECK(le::read32(zp, 0x36) == 0);          // capabilities: a 32-bit base
  CHECK(le::read32(zp, 0x3A) == 0);
  CHECK(zp[0x00] == 0);                      // the rest of screen_info is cleared
  CHECK(zp[0x40] == 0xEE);                   // and nothing past it is touched

  writeVesaScreenInfo(zp, {800, 600, 16}, {0x8'0000'0000, 16 << 20});
  CHECK(le::read16(zp, 0x24) == 1600);
  CHECK(std::vector<uint8_t>(zp.begin() + 0x26, zp.begin() + 0x2E) == std::vector<uint8_t>{5, 11, 6, 5, 5, 0, 0, 0});
  CHECK(le::read32(zp, 0x18) == 0);
  CHECK(le::read32(zp, 0x3A) == 8);          // ext_lfb_base
  CHECK(le::read32(zp, 0x36) == 2);          // VIDEO_CAPABILITY_64BIT_BASE
}

TEST_CASE("planLinuxBoot hands the offered framebuffer to the kernel and the Machine") {
  const std::vector<uint8_t> kernel = test::FakeBzImage{}.build();
  SUBCASE("no display: no framebuffer, screen_info zero") {
    const BootPlan plan = planLinuxBoot(kernel, {}, "vga=0x318", 64 * MiB, "k");
    CHECK_FALSE(plan.framebuffer);
    CHECK(zeroPage(plan).bytes[0x0F] == 0);
  }
  SUBCASE("the default mode") {
    const BootPlan plan = planLinuxBoot(kernel, {}, "console=tty0", 64 * MiB, "k", kOffer);
    REQUIRE(plan.framebuffer);
    CHECK(plan.framebuffer->base == 0xFD000000);
    CHECK(plan.framebuffer->mode == FramebufferMode{1024, 768, 32});
    CHECK(zeroPage(plan).bytes[0x0F] == 0x23);
    CHECK(le::read32(zeroPage(plan).bytes, 0x18) == 0xFD000000);
    CHECK(plan.summary.find("framebuffer 1024x768x32 at 0xfd000000") != std::string::npos);
    // The setup header copied after screen_info is intact.
    CHECK(le::read32(zeroPage(plan).bytes, 0x202) == 0x53726448);
  }
  SUBCASE("vga=normal turns it off") {
    const BootPlan plan = planLinuxBoot(kernel, {}, "vga=normal", 64 * MiB, "k", kOffer);
    CHECK_FALSE(plan.framebuffer);
    CHECK(zeroPage(plan).bytes[0x0F] == 0);
  }
  SUBCASE("a mode larger than video memory is refused") {
    CHECK_THROWS_AS(planLinuxBoot(kernel, {}, "vga=0x31B", 64 * MiB, "k", FramebufferOffer{0xFD000000, 1 << 20}),
                    ConfigError);
  }
}
