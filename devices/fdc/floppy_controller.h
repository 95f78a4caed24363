// An Intel 82077AA-compatible floppy disk controller in PC-AT mode, as
// QEMU's isa-fdc and Bochs model it: ports 0x3F0-0x3F5 and 0x3F7 (0x3F6
// belongs to the IDE controller), IRQ 6, DMA channel 2, two drives.
//
// Registers (82077AA datasheet, 2.1): SRA/SRB (PS/2 style, as QEMU: INT
// pending, second drive absent, motor and select bits), DOR (drive select,
// nRESET, DMA gate, motors), TDR, MSR/DSR, the data FIFO, DIR (disk
// change) / CCR. Commands run in the three phases (command, execution,
// result) with MSR's RQM/DIO/NDMA/CB, and complete at once: no rotation,
// step or head-settle time passes. Seeks are implied in READ/WRITE/FORMAT
// (the head goes to the command's cylinder) as in QEMU and Bochs, which
// SeaBIOS relies on: it reads without seeking first.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "devices/dma/isa_dma.h"
#include "devices/fdc/floppy_drive.h"
#include "devices/io_bus.h"
#include "devices/irq_output.h"

namespace sv {

class FloppyController final : public IoDevice {
 public:
  static constexpr uint16_t kBase = 0x3F0;
  static constexpr uint16_t kDirPort = 0x3F7;
  static constexpr unsigned kIrq = 6;
  static constexpr unsigned kDmaChannel = 2;
  static constexpr unsigned kDrives = 2;

  FloppyController(IsaDma& dma, IrqOutput::Sink irq);
  void attach(IoBus& io);
  // Hardware reset: DOR 0 (the controller held in reset), 250 kb/s.
  void reset();
  void insert(unsigned drive, std::unique_ptr<FloppyDrive> d) { drives_[drive] = std::move(d); }
  FloppyDrive* drive(unsigned n) { return n < kDrives ? drives_[n].get() : nullptr; }
  const FloppyDrive* drive(unsigned n) const { return n < kDrives ? drives_[n].get() : nullptr; }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  enum class Phase : uint8_t { Command, Execution, Result };
  enum class Op : uint8_t { Read, Write, Format };

  uint8_t readRegister(uint16_t port);
  void writeRegister(uint16_t port, uint8_t value);
  void writeDor(uint8_t value);
  uint8_t msr() const;
  uint8_t readData();
  void writeData(uint8_t value);

  // Software reset (DOR nRESET low, DSR bit 7): phases and interrupts
  // cleared; on release, with polling on, the four drive-ready interrupts.
  void enterReset();
  void leaveReset();
  void setInt(bool pending);
  void updateIrq();

  // floppy_commands.cpp
  static unsigned commandLength(uint8_t command);
  void execute();
  void finish(std::initializer_list<uint8_t> result, bool interrupt);
  void senseInterrupt();
  void seekDone(uint8_t st0);  // SEEK/RECALIBRATE ended: INT, status for SENSE INTERRUPT
  void readId();
  void startTransfer(Op op);
  void serviceDma();
  // Non-DMA execution: the FIFO byte the CPU moves next.
  uint8_t pioRead();
  void pioWrite(uint8_t value);
  // One sector (or one format ID) of the current DMA transfer; false when
  // the command ended or the DMA channel is not ready.
  bool transferSector();
  // Whether the current sector's ID is on the track; if not, ends the
  // command (sector not found).
  bool sectorFound();
  bool formatId(const uint8_t id[4]);  // FORMAT: one sector; false: ended
  bool loadPioSector();                 // non-DMA read: the next sector in
  void endTransfer(uint8_t st0, uint8_t st1, uint8_t st2);
  bool nextSector();  // advance R (MT, EOT); false past the cylinder's end

  IsaDma& dma_;
  IrqOutput irq_;
  std::array<std::unique_ptr<FloppyDrive>, kDrives> drives_{};

  uint8_t dor_ = 0, tdr_ = 0;
  FloppyRate rate_ = FloppyRate::k250;
  Phase phase_ = Phase::Command;
  std::vector<uint8_t> command_, result_;
  std::vector<uint8_t> params_;  // the command being executed
  size_t result_pos_ = 0;
  bool int_pending_ = false;
  bool result_clears_int_ = false;  // the command in result phase raised INT
  std::array<uint8_t, 4> pcn_{};    // present cylinder number per drive select
  // SENSE INTERRUPT STATUS answers: after a seek/recalibrate, or the
  // polling interrupts after a reset (counting down from 4).
  bool seek_status_ = false;
  uint8_t seek_st0_ = 0;
  unsigned reset_sense_ = 0;
  // SPECIFY, CONFIGURE, LOCK, PERPENDICULAR MODE.
  uint8_t specify_[2] = {0, 0};
  uint8_t config_ = 0x20;  // EIS 0, EFIFO 1 (FIFO off), POLL 0, FIFOTHR 0
  uint8_t pretrk_ = 0;
  bool lock_ = false;
  uint8_t perpendicular_ = 0;
  uint8_t last_eot_ = 0;

  // The transfer in execution.
  struct Transfer {
    Op op = Op::Read;
    unsigned drive = 0, head = 0;
    uint8_t c = 0, h = 0, r = 0, n = 0, eot = 0;
    bool mt = false, dma = true;
    uint8_t fill = 0;           // FORMAT: data byte
    unsigned ids_left = 0;      // FORMAT: sectors still to format
    std::array<uint8_t, FloppyDrive::kSectorSize> buffer{};
    size_t pos = 0, len = 0;    // non-DMA: bytes of the buffer moved / valid
  } xfer_;
};

}  // namespace sv
