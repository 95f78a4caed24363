// The Machine's interrupt routing: local APIC, I/O APIC and the fan-out of
// the board's interrupt lines (kept apart from machine.cpp's board assembly).
#include <algorithm>

#include "cpu/cpuid.h"
#include "devices/apic/apic_board.h"
#include "jit/jit.h"
#include "vmm/machine.h"
#include "vmm/mp_table.h"

namespace sv {

LocalApic::Wiring Machine::localApicWiring() {
  LocalApic::Wiring w;
  w.intr = [this](bool level) { cpu_.setInterruptRequest(level); };
  w.nmi = [this] { cpu_.raiseNmi(); };
  w.eoi = [this](uint8_t vector) { io_apic_.endOfInterrupt(vector); };
  w.moved = [this](uint64_t base) { mapLocalApic(base); };
  // A new timer deadline counts at once: end the slice after this instruction.
  w.deadline_changed = [this] { cpu_.requestStop(); };
  w.ext_int = &pic_;
  return w;
}

Hpet::Wiring Machine::hpetWiring() {
  Hpet::Wiring w;
  w.ioapic = [this](unsigned pin, bool level) { io_apic_.setPin(pin, level); };
  w.legacy = [this](unsigned irq, bool level) { setReplaceableIrq(irq, true, level); };
  w.legacy_mode = [this](bool on) {
    hpet_legacy_ = on;
    refreshReplaceableIrqs();
  };
  w.deadline_changed = [this] { cpu_.requestStop(); };
  return w;
}

void Machine::buildInterruptRouting() {
  cpu_.setInterruptAcknowledge(&lapic_);
  cpu_.setLocalApic(&lapic_);
  mem_.addMmio(apic_board::kIoApicBase, apic_board::kIoApicSize, io_apic_, "ioapic");
  timers_.add(lapic_);
  mem_.addMmio(apic_board::kHpetBase, apic_board::kHpetSize, hpet_, "hpet");
  timers_.add(hpet_);
  // PCI interrupt lines are active low: deasserted PIRQs hold their pins high.
  for (unsigned pirq = 0; pirq < 4; ++pirq) io_apic_.setPin(apic_board::kPirqIoApicPinBase + pirq, true);
}

void Machine::addMpTableToBootPlan() {
  MpBoardDescription board;
  CpuidResult id = cpuidQuery(1, 0);
  addLocalApic(id, 1, true, apic_board::kBspApicId);
  board.cpu_apic_id = apic_board::kBspApicId;
  board.cpu_apic_version = static_cast<uint8_t>(lapic_.readRegister(0x30));
  board.cpu_signature = id.eax;
  board.cpu_features = id.edx;
  board.local_apic_address = static_cast<uint32_t>(apic_board::kLocalApicBase);
  board.io_apic_id = apic_board::kIoApicId;
  board.io_apic_version = apic_board::kIoApicVersion;
  board.io_apic_address = static_cast<uint32_t>(apic_board::kIoApicBase);
  for (uint8_t dev = 0; dev < 32; ++dev)
    for (unsigned fn = 0; fn < 8; ++fn)
      if (pci_.configRead(0, dev, fn, pci::kVendorId, 2) != 0xFFFF) {
        const auto pin = static_cast<uint8_t>(pci_.configRead(0, dev, fn, pci::kInterruptPin, 1));
        const bool seen = std::any_of(board.pci_interrupts.begin(), board.pci_interrupts.end(),
                                      [&](const auto& p) { return p.device == dev && p.pin == pin; });
        if (pin >= 1 && pin <= 4 && !seen) board.pci_interrupts.push_back({dev, pin});
      }
  boot_plan_->writes.push_back(buildMpTable(board));
}

void Machine::setIsaIrq(unsigned irq, bool level) {
  pic_.setIrq(irq, level);
  io_apic_.setPin(apic_board::isaIrqToIoApicPin(irq), level);
}

void Machine::setReplaceableIrq(unsigned irq, bool hpet, bool level) {
  replaceable_levels_[irq == 0 ? 0 : 1][hpet ? 1 : 0] = level;
  refreshReplaceableIrqs();
}

// In legacy replacement mode the HPET's timers 0 and 1 drive IRQ0 and IRQ8
// and the 8254's and RTC's outputs are cut off (HPET 1.0a, 2.4).
void Machine::refreshReplaceableIrqs() {
  const unsigned from = hpet_legacy_ ? 1 : 0;
  setIsaIrq(0, replaceable_levels_[0][from]);
  setIsaIrq(8, replaceable_levels_[1][from]);
}

void Machine::setPciIrq(unsigned pirq, bool level) {
  isa_bridge_.setPirq(pirq, level);
  io_apic_.setPin(apic_board::kPirqIoApicPinBase + pirq, !level);
}

void Machine::mapLocalApic(uint64_t base) {
  mem_.removeMmio(lapic_);
  if (base != ~0ull) mem_.addMmio(base, apic_board::kLocalApicSize, lapic_, "apic");
  // Cached translations of the old and new pages are stale; code
  // translated from RAM that the register page now hides goes (MMIO itself
  // is never translated).
  cpu_.tlb().flushAll();
  if (jit_ && base != ~0ull) jit_->codePageWritten(base);
  cpu_.requestBlockExit();
}

}  // namespace sv
