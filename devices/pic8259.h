// The two cascaded Intel 8259A programmable interrupt controllers of the PC
// (master at 0x20/0x21, slave at 0xA0/0xA1, slave INT wired to master IR2)
// and the PIIX3 edge/level control registers ELCR1/ELCR2 (0x4D0/0x4D1).
//
// References: Intel 8259A datasheet (order 231468), "Operation of the
// 8259A"; Intel 82371SB PIIX3 datasheet, 4.3 (ELCR) and 4.4 (ICW1 LTIM
// ignored). Behaviour where the datasheet leaves room follows Bochs and
// QEMU's "pc" machine, which SeaBIOS and Linux are tested against.
#pragma once

#include <cstdint>
#include <functional>

#include "cpu/platform.h"
#include "devices/io_bus.h"

namespace sv {

// One 8259A. Plain state plus the priority logic; the pair below wires two
// of them together. Kept public so tests and snapshots can see the state.
struct Pic8259Chip {
  uint8_t lines = 0;     // current level of the IR0-7 input pins
  uint8_t irr = 0;       // interrupt request register
  uint8_t isr = 0;       // in-service register
  // Interrupt mask register (OCW1). The datasheet leaves the state before
  // ICW1 undefined; we mask every input (as Bochs does) so nothing arrives
  // through an unprogrammed vector base. ICW1 clears it.
  uint8_t imr = 0xFF;
  uint8_t elcr = 0;      // PIIX3 ELCR: 1 = level-triggered input
  uint8_t elcr_mask = 0; // ELCR bits that may be set (others always edge)
  uint8_t vector_base = 0;  // ICW2 & 0xF8
  uint8_t lowest = 7;    // the IR level with the lowest priority (rotation)
  uint8_t icw3 = 0;
  uint8_t init_step = 0; // 0: operational; 2/3/4: expecting ICW2/3/4
  bool expect_icw4 = false;
  bool single = false;       // ICW1 SNGL
  bool auto_eoi = false;     // ICW4 AEOI
  bool rotate_on_aeoi = false;
  bool sfnm = false;         // ICW4 special fully nested mode
  bool special_mask = false; // OCW3 SMM
  bool read_isr = false;     // OCW3 RR/RIS: status read selects ISR
  bool poll = false;         // OCW3 P: next read is a poll
  bool is_master = false;

  void reset();
  // Sets the level of input pin n and updates IRR as the trigger mode says.
  void setLine(unsigned n, bool level);
  // The IR level the chip would present to the CPU now, or -1.
  int pending() const;
  // The INTA cycle for level n (from pending()): IRR/ISR bookkeeping.
  void acknowledge(unsigned n);
  void writeCommand(uint8_t value);  // even port: ICW1, OCW2, OCW3
  void writeData(uint8_t value);     // odd port: ICW2-4, OCW1
  uint8_t readCommand();             // even port: IRR/ISR or poll word
  void writeElcr(uint8_t value);

 private:
  int highestPriority(uint8_t mask) const;  // IR level, or -1
  void endOfInterrupt(int level, bool rotate);
};

class Pic8259 final : public IoDevice, public InterruptAcknowledge {
 public:
  // on_intr receives every change of the master's INT output (the CPU's
  // INTR pin); the Machine connects it to Cpu::setInterruptRequest.
  explicit Pic8259(std::function<void(bool)> on_intr = {});
  void setIntrCallback(std::function<void(bool)> on_intr);

  // Registers 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1.
  void attach(IoBus& bus);
  void reset();

  // Device interrupt lines, IRQ 0-15. IRQ 2 is the cascade and is ignored
  // (on the PC the ISA IRQ2 pin is routed to IRQ 9; devices use 9).
  void setIrq(unsigned irq, bool level);

  // The INTA cycle: returns the vector of the highest-priority request,
  // or the spurious vector (base + 7 of the chip whose request vanished).
  uint8_t acknowledge();
  uint8_t acknowledgeInterrupt() override { return acknowledge(); }

  // The INT output of the master (what was last reported to on_intr).
  bool intr() const { return intr_; }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  const Pic8259Chip& master() const { return chips_[0]; }
  const Pic8259Chip& slave() const { return chips_[1]; }

 private:
  uint8_t readByte(uint16_t port);
  void writeByte(uint16_t port, uint8_t value);
  // Propagates slave INT -> master IR2 and master INT -> on_intr.
  void update();

  Pic8259Chip chips_[2];
  std::function<void(bool)> on_intr_;
  bool intr_ = false;
};

}  // namespace sv
