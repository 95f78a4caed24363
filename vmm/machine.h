// One virtual machine: owns its memory, I/O bus, devices, clock and vCPU,
// and runs them. Nothing here is global, so several Machines can coexist.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/apic/apic_board.h"
#include "devices/apic/hpet.h"
#include "devices/apic/io_apic.h"
#include "devices/apic/local_apic.h"
#include "devices/acpi/acpi_pm_registers.h"
#include "devices/acpi/acpi_table_set.h"
#include "devices/acpi/piix4_pm.h"
#include "devices/cmos_rtc.h"
#include "devices/device_clock.h"
#include "devices/dma/isa_dma.h"
#include "devices/dma_memory.h"
#include "devices/fw_cfg.h"
#include "devices/fdc/floppy_controller.h"
#include "devices/i8042.h"
#include "devices/io_bus.h"
#include "devices/pci/i440fx_host.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/pci_config_io.h"
#include "devices/pci/piix3_isa.h"
#include "devices/pci/piix_ide.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/reset_control.h"
#include "devices/system_control_port_a.h"
#include "devices/system_control_port_b.h"
#include "devices/uart16550.h"
#include "devices/vga/std_vga.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "vmm/file_byte_sink.h"
#include "vmm/console_escape.h"
#include "vmm/machine_config.h"
#include "vmm/serial_input.h"
#include "vmm/timer_scheduler.h"
#include "vmm/virtual_clock.h"

namespace sv {

class Jit;

class Machine final : private PortIo, private TimeSource, private DeviceClock, private DmaMemory {
 public:
  // Builds the board; throws ConfigError on bad configuration or files.
  explicit Machine(MachineConfig config);
  ~Machine() override;
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Runs until the guest ends the VM (debug-exit, a halt nothing can wake,
  // triple fault with no_reboot, instruction limit). Returns the exit status
  // for the process; `stopMessage()` says why when it was not debug-exit.
  int run();
  const std::string& stopMessage() const { return stop_message_; }

  // Ends the VM after the current instruction with this exit status (and
  // a message for stopMessage(), when it is not the guest's own choice).
  void requestExit(int status, std::string message = "");
  // A system reset (port 0x92, 0xCF9, ...) after the current instruction:
  // CPU and devices go back to power-on state, or with -no-reboot the VM
  // stops with a message.
  // `source` names the register that asked (for the stop message).
  void requestReset(const char* source = "");

  Cpu& cpu() { return cpu_; }
  PhysicalMemory& memory() { return mem_; }
  IoBus& io() { return io_; }
  PciBus& pci() { return pci_; }
  FwCfg& fwCfg() { return fw_cfg_; }
  FloppyController& floppyController() { return *fdc_; }
  IsaDma& isaDma() { return isa_dma_; }
  // The PS/2 keyboard and mouse (host input seam for a display frontend).
  I8042& keyboardController() { return *i8042_; }
  VirtualClock& clock() { return clock_; }

  // ---- display ----
  // The VGA (nullptr with -vga none).
  StdVga* vga() { return vga_.get(); }
  // `refresh` runs from run() between slices, at most once per
  // kDisplayRefreshPeriod of host time (and never per guest write), so a
  // frontend can render, poll its window and take screenshots without
  // slowing the vCPU. It may call requestExit().
  static constexpr std::chrono::nanoseconds kDisplayRefreshPeriod{16'666'667};
  void setDisplayRefresh(std::function<void()> refresh) { display_refresh_ = std::move(refresh); }
  // HLT with interrupts off: nothing but a reset or NMI wakes the guest
  // (an idle guest in HLT with IF=1 counts as running).
  bool guestHalted() const { return cpu_.state.halted && !(cpu_.state.rflags & flag::IF); }

 private:
  uint32_t portRead(uint16_t port, unsigned size) override { return io_.read(port, size); }
  void portWrite(uint16_t port, unsigned size, uint32_t value) override { io_.write(port, size, value); }
  uint64_t tscNow() override { return clock_.tsc(); }
  uint64_t nowNs() override { return clock_.nowNs(); }
  void dmaRead(uint64_t paddr, void* dst, size_t len) override;
  void dmaWrite(uint64_t paddr, const void* src, size_t len) override;

  // ---- Interrupt routing (vmm/machine_interrupts.cpp) ----
  // The local APIC (the CPU's interrupt controller, with the 8259 behind
  // LINT0) and the I/O APIC; every ISA IRQ line fans out to both the 8259
  // and the I/O APIC, PCI PIRQA-D to the PIIX3 router and I/O APIC pins
  // 16-19.
  void buildInterruptRouting();
  LocalApic::Wiring localApicWiring();
  void setIsaIrq(unsigned irq, bool level);
  // IRQ0 (8254) and IRQ8 (RTC), which the HPET replaces in legacy
  // replacement mode: `hpet` says which source changed.
  void setReplaceableIrq(unsigned irq, bool hpet, bool level);
  void refreshReplaceableIrqs();
  Hpet::Wiring hpetWiring();
  void mapLocalApic(uint64_t base);  // ~0: unmapped (globally disabled)
  // Direct boot: the MP spec tables (vmm/mp_table.h) for the board as built.
  void addMpTableToBootPlan();
 public:
  // A PCI interrupt line PIRQA..D (0-3) of a device on bus 0 changes level.
  void setPciIrq(unsigned pirq, bool level);

 private:
  void buildDevices();
  void buildBoard();  // PIC pair, PIT, port 0x61 and their wiring
  void buildChipset();  // PCI host and ISA bridges, port 0x92, 0xCF9, fw_cfg
  void buildSuperIo();  // RTC/CMOS, COM1
  void buildDisplay();  // the stdvga at 00:02.0 and its option ROM
  void pollDisplay();
  // ACPI: the PIIX4 PM function (00:01.3, SCI on IRQ 9, S5 ends the VM) and
  // the tables, offered to firmware over fw_cfg.
  void buildAcpi();
  void buildInputDevices();  // i8042 with PS/2 keyboard and mouse
  // Host bytes for COM1 (-serial stdio): into the UART as far as its
  // receiver has room, through the Ctrl-A escapes.
  void pumpSerialInput();
  bool waitingForSerialInput() const { return com1_input_ && !com1_input_->finished(); }
  // Direct boot has no firmware: do its ACPI part (PM block at its base,
  // tables in 0xE0000-0xEFFFF shadowed as RAM).
  void installAcpiForDirectBoot();
  // Storage (vmm/machine_storage.cpp): the PIIX IDE function and its
  // drives, the ISA DMA and floppy controllers and their drives, the
  // fw_cfg boot order; describeStorage fills the CMOS bytes.
  void buildStorage();
  void buildFloppy();
  void describeStorage(CmosBoardConfig& board) const;
  void fillFwCfg();
  void resetBoard();
  void enterDirectBoot();
  // The host bridge's PAM registers changed: remap 0xC0000-0xFFFFF and drop
  // TLB entries and translated code that saw the old mapping.
  void applyPam();
  void memoryMapChanged(uint64_t base, uint64_t size);
  // Instructions the next slice may run so a timer deadline is not passed.
  uint64_t sliceFor(uint64_t now_ns, uint64_t deadline_ns) const;
  // Halted with IF=1: lets virtual time reach the deadline (sleep in host
  // mode, a jump of the clock in deterministic mode).
  void idleUntil(uint64_t deadline_ns);
  int stop(int status, std::string message);

  MachineConfig config_;
  VirtualClock clock_;
  PhysicalMemory mem_;
  IoBus io_;
  CodePageMap code_pages_;  // pages holding translated code; before cpu_ (its TLB listens)
  Cpu cpu_;
  std::unique_ptr<Jit> jit_;  // -accel jit; after cpu_ (it plugs into it)
  LocalApic lapic_;   // the CPU's interrupt controller (INTR and INTA); before pic_, which drives LINT0
  IoApic io_apic_;
  Hpet hpet_;
  bool hpet_legacy_ = false;
  bool replaceable_levels_[2][2] = {};  // [IRQ0, IRQ8][device, HPET]
  Pic8259 pic_;  // reaches the CPU through the local APIC's LINT0 (ExtINT)
  Pit8254 pit_;
  SystemControlPortB port_b_;
  PciBarSpace pci_bars_;  // where BARs decode; before pci_, which borrows it
  PciBus pci_;
  PciConfigIo pci_io_;
  I440fxHost host_bridge_;  // 00:00.0
  Piix3Isa isa_bridge_;     // 00:01.0
  std::unique_ptr<PiixIde> ide_;  // 00:01.1
  IsaDma isa_dma_;                // the 8237 pair and page registers
  std::unique_ptr<FloppyController> fdc_;  // 0x3F0, IRQ 6, DMA 2; after isa_dma_
  ResetControl reset_control_;
  SystemControlPortA port_a_;
  FwCfg fw_cfg_;
  std::unique_ptr<CmosRtc> rtc_;
  std::unique_ptr<FileByteSink> com1_sink_;  // before com1_, which borrows it
  std::unique_ptr<Uart16550> com1_;
  std::unique_ptr<SerialInput> com1_input_;  // after com1_: stops reading first
  ConsoleEscape console_escape_;
  std::unique_ptr<I8042> i8042_;
  std::unique_ptr<AcpiPmRegisters> acpi_pm_;
  std::unique_ptr<Piix4Pm> pm_function_;  // 00:01.3; after acpi_pm_, which it maps
  AcpiTableSet acpi_tables_;
  TimerScheduler timers_;
  std::vector<std::unique_ptr<IoDevice>> devices_;  // configurable extras
  // ---- display ----
  std::unique_ptr<StdVga> vga_;
  std::function<void()> display_refresh_;
  std::chrono::steady_clock::time_point next_display_refresh_{};
  uint64_t idle_since_retired_ = ~0ull;  // deterministic idle limit, see run()
  uint64_t idle_since_ns_ = 0;
  std::optional<BootPlan> boot_plan_;  // -kernel: applied at every reset
  std::optional<int> exit_status_;
  std::string exit_message_;
  bool reset_requested_ = false;
  const char* reset_source_ = "";
  std::string stop_message_;
};

}  // namespace sv
