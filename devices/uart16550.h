// National Semiconductor PC16550D UART ("16550A" to Linux), as found at the
// PC's COM ports (COM1 0x3F8 IRQ 4, COM2 0x2F8 IRQ 3). Register-exact: the
// Linux 8250 driver's probe (IER, loopback MSR, FCR/IIR FIFO detection, THRE
// re-assertion test) and SeaBIOS's detection see a real 16550A.
//
// Timing: transmission completes at once (the byte goes to the sink when THR
// is written, and THR/TSR are empty again immediately, which raises a fresh
// THRE interrupt as the real chip does when THR moves to the shift
// register). Reception has no baud-rate pacing either (the frontend paces
// input with rxFreeSpace()), but the FIFO character-timeout interrupt does
// follow the virtual clock: four character times at the programmed divisor
// and frame format, because Linux programs an 8-byte trigger level and
// relies on the timeout to see typed characters.
//
// Interrupt output: as on every PC serial card, INTR reaches the bus only
// while MCR.OUT2 is set; in loopback mode OUT2 is forced inactive (PC16550D
// "Modem Control Register", bit 4), so no IRQ reaches the PIC, while IIR
// still reports the interrupt.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "devices/byte_sink.h"
#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/irq_output.h"
#include "devices/timer_device.h"

namespace sv {

class Uart16550 final : public IoDevice, public TimerDevice {
 public:
  static constexpr uint16_t kCom1Base = 0x3F8;
  static constexpr unsigned kCom1Irq = 4;
  static constexpr uint16_t kCom2Base = 0x2F8;
  static constexpr unsigned kCom2Irq = 3;
  static constexpr unsigned kPortCount = 8;
  static constexpr size_t kFifoSize = 16;

  // base/irq say where the board puts the UART (the device decodes port -
  // base; irq is informational for the board). irq_out receives the level of
  // the ISA interrupt line. sink may be null (output discarded).
  Uart16550(uint16_t base, unsigned irq, DeviceClock& clock, IrqOutput::Sink irq_out,
            ByteSink* sink);

  uint16_t basePort() const { return base_; }
  unsigned irq() const { return irq_; }
  void setSink(ByteSink* sink) { sink_ = sink; }

  // A byte arriving on the serial input (SIN). Ignored in loopback mode,
  // where SIN is disconnected. Overruns when the receiver is full.
  void receive(uint8_t byte);
  // How many bytes receive() can take now without an overrun; a frontend
  // that respects it never loses input.
  size_t rxFreeSpace() const;

  // Power-on / MR pin state (PC16550D "UART Reset Configuration" table).
  void reset();

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  // The character-timeout interrupt is the only time-driven event.
  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

  bool irqLevel() const { return irq_out_.level(); }

 private:
  uint8_t readRegister(unsigned offset);
  void writeRegister(unsigned offset, uint8_t value);
  void writeFcr(uint8_t value);
  void writeMcr(uint8_t value);
  void transmit(uint8_t byte);
  void pushReceived(uint8_t byte);
  uint8_t popReceived();
  void clearRxFifo();
  void setModemInputs(uint8_t status);  // MSR bits 4-7, sets the delta bits
  uint8_t interruptId() const;          // IIR bits 0-3
  bool rxDataAvailable() const;         // the received-data condition
  void checkTimeout(uint64_t now_ns);
  uint64_t timeoutDeadline() const;
  uint64_t characterTimeNs() const;
  void updateIrq();

  uint16_t base_;
  unsigned irq_;
  DeviceClock& clock_;
  IrqOutput irq_out_;
  ByteSink* sink_;

  // Receiver FIFO (one entry deep while FIFOs are disabled: the RBR).
  std::array<uint8_t, kFifoSize> rx_{};
  size_t rx_head_ = 0;
  size_t rx_count_ = 0;
  uint8_t rbr_ = 0;  // last byte read; RBR keeps it when the FIFO is empty
  uint64_t rx_activity_ns_ = 0;  // last character in or out of the RX FIFO
  bool timeout_pending_ = false;

  uint8_t ier_ = 0;
  uint8_t fcr_ = 0;  // FIFO enable, DMA mode and trigger bits as programmed
  uint8_t lcr_ = 0;
  uint8_t mcr_ = 0;
  uint8_t lsr_ = 0;
  uint8_t msr_ = 0;
  uint8_t scr_ = 0;
  uint16_t divisor_ = 12;
  bool thre_pending_ = false;  // THRE interrupt latched, until IIR read/THR write
};

}  // namespace sv
