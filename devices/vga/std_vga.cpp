#include "devices/vga/std_vga.h"

namespace sv {

namespace {
constexpr PciId kStdVgaId{0x1234, 0x1111, 0x02, 0x03, 0x00, 0x00, 0x00};
constexpr uint64_t kPortMirror = 0x400, kPortMirrorEnd = 0x420;  // ports 0x3C0-0x3DF
constexpr uint64_t kDispiMirror = 0x500, kDispiMirrorEnd = 0x500 + 2 * dispi::kRegisterCount;
}  // namespace

StdVga::StdVga(DeviceClock& clock) : PciFunction(kStdVgaId), ports_(regs_, clock) {
  define16(pci::kSubsystemVendorId, 0x1AF4);  // as QEMU: Red Hat, Inc. / QEMU
  define16(pci::kSubsystemVendorId + 2, 0x1100);
  defineBar(0, kVramBytes, false, true);
  defineBar(2, kMmioBarBytes, false);
  attachMemoryBar(0, lfb_, "vga-lfb");
  attachMemoryBar(2, mmio_bar_, "vga-mmio");
}

void StdVga::attachLegacy(IoBus& io, PhysicalMemory& mem) {
  io.registerPorts(VgaPorts::kFirstPort, VgaPorts::kPortCount, ports_, "vga");
  io.registerPorts(dispi::kIndexPort, 2, dispi_, "vbe-dispi");
  mem.addMmio(VgaLegacyWindow::kBase, VgaLegacyWindow::kSize, legacy_, "vga-window");
}

void StdVga::reset() {
  PciFunction::reset();
  regs_ = VgaRegisters{};
  dispi_.reset();
  vram_.markAllDirty();
  renderer_.invalidate();
}

bool StdVga::setLinearMode(uint32_t lfb_base, unsigned width, unsigned height, unsigned bpp) {
  constexpr uint16_t kMemorySpace = 0x0002;  // PCI command register: decode memory BARs
  configWrite(pci::kBar0, 4, lfb_base);
  configWrite(pci::kCommand, 2, (configRead(pci::kCommand, 2) | kMemorySpace));
  dispi_.writeRegister(dispi::kEnable, 0);
  dispi_.writeRegister(dispi::kXres, static_cast<uint16_t>(width));
  dispi_.writeRegister(dispi::kYres, static_cast<uint16_t>(height));
  dispi_.writeRegister(dispi::kBpp, static_cast<uint16_t>(bpp));
  dispi_.writeRegister(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
  return dispi_.enabled() && dispi_.xres() == width && dispi_.yres() == height && dispi_.bpp() == bpp &&
         (configRead(pci::kBar0, 4) & ~0xFu) == lfb_base;
}

uint64_t StdVga::MmioBar::mmioRead(uint64_t offset, unsigned size) {
  if (offset >= kPortMirror && offset < kPortMirrorEnd) return ports_.ioRead(static_cast<uint16_t>(0x3C0 + offset - kPortMirror), size);
  if (offset >= kDispiMirror && offset < kDispiMirrorEnd) return dispi_.readRegister(static_cast<unsigned>((offset - kDispiMirror) / 2));
  return 0;  // QEMU's extended registers (0x600) are absent: their size reads 0
}

void StdVga::MmioBar::mmioWrite(uint64_t offset, unsigned size, uint64_t v) {
  if (offset >= kPortMirror && offset < kPortMirrorEnd)
    ports_.ioWrite(static_cast<uint16_t>(0x3C0 + offset - kPortMirror), size, static_cast<uint32_t>(v));
  else if (offset >= kDispiMirror && offset < kDispiMirrorEnd)
    dispi_.writeRegister(static_cast<unsigned>((offset - kDispiMirror) / 2), static_cast<uint16_t>(v));
}

}  // namespace sv
