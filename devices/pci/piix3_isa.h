// The PIIX3 PCI-to-ISA bridge (82371SB function 0) at 00:01.0: 8086:7000,
// ISA bridge class 06/01, multi-function.
//
// What it models (82371SB datasheet, 2.2): the PIRQ route control registers
// PIRQRC[A:D] at 0x60-0x63 (bit 7 disables the route, bits 3:0 name the ISA
// IRQ; 0-2, 8 and 13 are reserved), which steer the four PCI interrupt lines
// to the 8259 inputs. The ELCR that makes those inputs level-triggered lives
// in the PIC. The other registers keep their power-on values and are plain
// storage.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "devices/pci/pci_function.h"

namespace sv {

class Piix3Isa final : public PciFunction {
 public:
  static constexpr unsigned kPirqRc = 0x60;
  // The board's wiring of slot INTA-D (pin 0-3) to PIRQA-D, QEMU's for the
  // PIIX (the DSDT's _PRT must agree with whoever raises setPirq).
  static constexpr unsigned pirqOfSlotPin(unsigned slot, unsigned pin) { return (slot + pin + 3) & 3; }

  // `set_irq(irq, level)` drives an ISA IRQ input of the PIC pair.
  explicit Piix3Isa(std::function<void(unsigned irq, bool level)> set_irq);

  // A PCI interrupt line PIRQA..D (0-3) changes level (active = true).
  void setPirq(unsigned pirq, bool level);
  // The ISA IRQ PIRQn is routed to, or -1 when the route is disabled.
  int routeOf(unsigned pirq) const;

  void reset() override;

 private:
  void configChanged(unsigned offset, unsigned size) override;
  void updateIrqs();

  std::function<void(unsigned, bool)> set_irq_;
  std::array<bool, 4> pirq_level_{};
  std::array<bool, 16> driven_{};  // IRQ inputs we hold high
};

}  // namespace sv
