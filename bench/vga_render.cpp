// bench_vga_render: how long the VGA renderer takes for a full frame
// (80x25 text, mode 13h, VBE 1920x1080x32) and for an idle refresh
// (nothing dirty), which is what an unchanging screen costs per 60 Hz tick.
#include <chrono>
#include <cstdio>

#include "devices/vga/vga_renderer.h"

using namespace sv;
using namespace sv::vga;

namespace {
struct NoClock final : DeviceClock {
  uint64_t nowNs() override { return 0; }
};

template <typename F>
double microseconds(F&& f, int rounds) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) f(i);
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / rounds;
}

void measure(const char* name, VgaVram& vram, VgaRenderer& r) {
  VgaFrame frame;
  const double full = microseconds([&](int) { r.invalidate(), r.render(frame, 0); }, 50);
  const double idle = microseconds([&](int) { r.render(frame, 0); }, 2000);
  const double one_write = microseconds([&](int i) { vram.write8(static_cast<uint32_t>(i * 4096) % vram.size(), 1), r.render(frame, 0); }, 200);
  std::printf("%-22s %5ux%-5u full frame %8.1f us   idle %6.2f us   one dirty page %7.1f us\n", name, frame.width, frame.height, full,
              idle, one_write);
}
}  // namespace

int main() {
  VgaRegisters regs;
  VgaVram vram(16u << 20);
  BochsDispi dispi(vram, regs);
  NoClock clock;
  VgaPorts ports(regs, clock);
  VgaRenderer renderer(regs, vram, dispi, ports);
  regs.attr_index = kAttrPaletteAddressSource;
  for (unsigned i = 0; i < 16; ++i) regs.attr[i] = static_cast<uint8_t>(i);
  // Text 80x25, 9x16
  regs.crtc[kCrtcHorizontalDisplayEnd] = 79;
  regs.crtc[kCrtcVerticalDisplayEnd] = 0x8F, regs.crtc[kCrtcOverflow] = 0x02;
  regs.crtc[kCrtcMaxScanLine] = 15, regs.crtc[kCrtcOffset] = 40;
  measure("text 80x25", vram, renderer);
  // Mode 13h
  regs.gc[kGcMisc] = 0x05, regs.gc[kGcMode] = 0x40, regs.crtc[kCrtcMaxScanLine] = 0x41;
  measure("mode 13h", vram, renderer);
  // VBE 1920x1080x32
  dispi.writeRegister(dispi::kXres, 1920);
  dispi.writeRegister(dispi::kYres, 1080);
  dispi.writeRegister(dispi::kBpp, 32);
  dispi.writeRegister(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
  measure("VBE 1920x1080x32", vram, renderer);
  return 0;
}
