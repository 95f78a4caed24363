#include "devices/pci/piix_ide.h"

namespace sv {

namespace {
constexpr uint16_t kIoSpaceEnable = 0x0001, kBusMasterEnable = 0x0004;
constexpr uint16_t kIdeDecodeEnable = 0x8000;
}  // namespace

PiixIde::PiixIde(IoBus& io, DmaMemory& dma, std::function<void(unsigned, bool)> set_irq)
    : PciFunction(PciId{0x8086, 0x7010, 0x00, 0x01, 0x01, 0x80, 0x00}), io_(io) {
  auto bus_master = [this] { return (configRead(pci::kCommand, 2) & kBusMasterEnable) != 0; };
  channels_[0] = std::make_unique<IdeChannel>(IdeChannel::kPrimaryCommand, IdeChannel::kPrimaryControl, dma,
                                              [set_irq](bool l) { set_irq(IdeChannel::kPrimaryIrq, l); }, bus_master);
  channels_[1] = std::make_unique<IdeChannel>(IdeChannel::kSecondaryCommand, IdeChannel::kSecondaryControl, dma,
                                              [set_irq](bool l) { set_irq(IdeChannel::kSecondaryIrq, l); }, bus_master);
  // Power-on values from the 82371SB IDE register table (2.7).
  define16(pci::kCommand, 0x0000, kIoSpaceEnable | kBusMasterEnable);
  define16(pci::kStatus, 0x0280, 0, 0x3800);  // medium DEVSEL, fast back-to-back; master/target aborts
  define8(pci::kLatencyTimer, 0x00, 0xF0);
  defineBar(kBusMasterBar, 16, true);
  define16(kIdetimPrimary, 0x0000, 0xF3FF);
  define16(kIdetimSecondary, 0x0000, 0xF3FF);
  define8(kSidetim, 0x00, 0xFF);
  attachIoBar(kBusMasterBar, bus_master_, "piix-ide-bmdma");
}

PiixIde::~PiixIde() {
  for (unsigned i = 0; i < 2; ++i)
    if (decoded_[i]) {
      io_.unregisterPorts(channels_[i]->commandBase(), 8);
      io_.unregisterPorts(channels_[i]->controlPort(), 1);
    }
}

void PiixIde::reset() {
  PciFunction::reset();
  for (auto& c : channels_) c->reset();
  updateLegacyDecode();
}

void PiixIde::configChanged(unsigned offset, unsigned size) {
  const unsigned end = offset + size;
  if ((offset <= pci::kCommand && end > pci::kCommand) || (offset < kIdetimSecondary + 2 && end > kIdetimPrimary))
    updateLegacyDecode();
}

void PiixIde::updateLegacyDecode() {
  const bool io_on = configRead(pci::kCommand, 2) & kIoSpaceEnable;
  for (unsigned i = 0; i < 2; ++i) {
    const bool want = io_on && (configRead(i ? kIdetimSecondary : kIdetimPrimary, 2) & kIdeDecodeEnable);
    if (want == decoded_[i]) continue;
    IdeChannel& c = *channels_[i];
    if (want) {
      io_.registerPorts(c.commandBase(), 8, c, i ? "ide-secondary" : "ide-primary");
      io_.registerPorts(c.controlPort(), 1, c, i ? "ide-secondary-control" : "ide-primary-control");
    } else {
      io_.unregisterPorts(c.commandBase(), 8);
      io_.unregisterPorts(c.controlPort(), 1);
    }
    decoded_[i] = want;
  }
}

uint32_t PiixIde::BusMasterPorts::ioRead(uint16_t port, unsigned size) {
  const unsigned offset = static_cast<unsigned>(port - ide_.barAddress(kBusMasterBar));
  uint32_t v = 0;
  for (unsigned i = 0; i < size && offset + i < 16; ++i)
    v |= uint32_t{ide_.channel((offset + i) / 8).busMasterRead((offset + i) % 8)} << (8 * i);
  return v;
}

void PiixIde::BusMasterPorts::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  const unsigned offset = static_cast<unsigned>(port - ide_.barAddress(kBusMasterBar));
  for (unsigned i = 0; i < size && offset + i < 16; ++i)
    ide_.channel((offset + i) / 8).busMasterWrite((offset + i) % 8, static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace sv
