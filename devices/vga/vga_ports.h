// The VGA's I/O ports 0x3B0-0x3DF (IBM VGA Technical Reference, FreeVGA):
// misc output, sequencer, graphics controller, attribute controller with its
// index/data flip-flop, CRTC at 0x3B4/5 or 0x3D4/5 (misc output bit 0), the
// DAC (0x3C6-0x3C9, 6-bit palette) and the input status registers.
#pragma once
#include <cstdint>

#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/vga/vga_registers.h"

namespace sv {

class VgaPorts final : public IoDevice {
 public:
  static constexpr uint16_t kFirstPort = 0x3B0;
  static constexpr uint32_t kPortCount = 0x30;

  VgaPorts(VgaRegisters& regs, DeviceClock& clock) : regs_(regs), clock_(clock) {}

  // Accesses of 2 or 4 bytes act as that many byte accesses on consecutive
  // ports (OUT DX, AX to 0x3C4 writes index then data).
  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;
  uint8_t readByte(uint16_t port);
  void writeByte(uint16_t port, uint8_t value);

  // Bumped by every write that can change the picture.
  uint32_t generation() const { return generation_; }

 private:
  uint8_t inputStatus1();
  bool ignoredCrtcPort(uint16_t port) const;

  VgaRegisters& regs_;
  DeviceClock& clock_;
  uint32_t generation_ = 0;
};

}  // namespace sv
