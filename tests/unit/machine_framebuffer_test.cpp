// Direct boot with a VGA: the Machine sets the mode the kernel's
// screen_info promises on the stdvga, with the framebuffer where it says,
// at every reset; -vga none and vga=normal leave the adapter alone.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <unistd.h>

#include "fake_bzimage.h"
#include "vmm/machine.h"

using namespace sv;

namespace {
struct TempKernel {
  std::string path;
  TempKernel() {
    const std::vector<uint8_t> image = test::FakeBzImage{}.build();
    char tmpl[] = "/tmp/sv_machine_fb_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size()));
    close(fd);
    path = tmpl;
  }
  ~TempKernel() { std::remove(path.c_str()); }
};

MachineConfig config(const std::string& kernel, const std::string& cmdline) {
  MachineConfig c;
  c.ram_bytes = 64ull << 20;
  c.direct_boot = DirectBootConfig{kernel, "", cmdline};
  return c;
}
}  // namespace

TEST_CASE("Direct boot sets the promised VBE mode with the framebuffer at 0xFD000000") {
  TempKernel k;
  Machine m(config(k.path, "console=tty0"));
  REQUIRE(m.vga());
  const BochsDispi& d = m.vga()->dispi();
  CHECK(d.enabled());
  CHECK(d.xres() == 1024);
  CHECK(d.yres() == 768);
  CHECK(d.bpp() == 32);
  CHECK((m.vga()->configRead(0x10, 4) & ~0xFu) == 0xFD000000);
  CHECK((m.vga()->configRead(0x04, 2) & 0x2) != 0);  // memory decoding on
  CHECK(m.memory().read(0x7000 + 0x18, 4) == 0xFD000000);  // screen_info.lfb_base
  // A guest write through the framebuffer lands in video memory.
  m.memory().write(0xFD000000 + 4096 * 3 + 8, 4, 0x00123456);
  CHECK(m.vga()->vram().readLe(4096 * 3 + 8, 4) == 0x00123456);
}

TEST_CASE("vga=normal and -vga none boot without a framebuffer") {
  TempKernel k;
  SUBCASE("vga=normal") {
    Machine m(config(k.path, "vga=normal"));
    REQUIRE(m.vga());
    CHECK_FALSE(m.vga()->dispi().enabled());
    CHECK(m.memory().read(0x7000 + 0x0F, 1) == 0);  // screen_info.orig_video_isVGA
  }
  SUBCASE("-vga none") {
    MachineConfig c = config(k.path, "");
    c.vga.reset();
    Machine m(c);
    CHECK(m.vga() == nullptr);
    CHECK(m.memory().read(0x7000 + 0x0F, 1) == 0);
  }
}

TEST_CASE("A vga= direct boot cannot honour stops the Machine's construction with the reason") {
  TempKernel k;
  CHECK_THROWS_WITH_AS(Machine(config(k.path, "vga=ask")), doctest::Contains("vga=ask"), ConfigError);
}
