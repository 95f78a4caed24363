// One virtual machine: owns its memory, I/O bus, devices, clock and vCPU,
// and runs them. Nothing here is global, so several Machines can coexist.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/cmos_rtc.h"
#include "devices/device_clock.h"
#include "devices/dma_memory.h"
#include "devices/fw_cfg.h"
#include "devices/io_bus.h"
#include "devices/pci/i440fx_host.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/pci_config_io.h"
#include "devices/pci/piix3_isa.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/reset_control.h"
#include "devices/system_control_port_a.h"
#include "devices/system_control_port_b.h"
#include "devices/uart16550.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "vmm/file_byte_sink.h"
#include "vmm/machine_config.h"
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

  // Ends the VM after the current instruction with this exit status.
  void requestExit(int status);
  // A system reset (port 0x92, 0xCF9, ...) after the current instruction:
  // CPU and devices go back to power-on state, or with -no-reboot the VM
  // stops with a message.
  void requestReset();

  Cpu& cpu() { return cpu_; }
  PhysicalMemory& memory() { return mem_; }
  IoBus& io() { return io_; }
  PciBus& pci() { return pci_; }
  FwCfg& fwCfg() { return fw_cfg_; }
  VirtualClock& clock() { return clock_; }

 private:
  uint32_t portRead(uint16_t port, unsigned size) override { return io_.read(port, size); }
  void portWrite(uint16_t port, unsigned size, uint32_t value) override { io_.write(port, size, value); }
  uint64_t tscNow() override { return clock_.tsc(); }
  uint64_t nowNs() override { return clock_.nowNs(); }
  void dmaRead(uint64_t paddr, void* dst, size_t len) override;
  void dmaWrite(uint64_t paddr, const void* src, size_t len) override;

  void buildDevices();
  void buildBoard();  // PIC pair, PIT, port 0x61 and their wiring
  void buildChipset();  // PCI host and ISA bridges, port 0x92, 0xCF9, fw_cfg
  void buildSuperIo();  // RTC/CMOS, COM1
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
  Pic8259 pic_;  // the CPU's interrupt controller (INTR and INTA)
  Pit8254 pit_;
  SystemControlPortB port_b_;
  PciBarSpace pci_bars_;  // where BARs decode; before pci_, which borrows it
  PciBus pci_;
  PciConfigIo pci_io_;
  I440fxHost host_bridge_;  // 00:00.0
  Piix3Isa isa_bridge_;     // 00:01.0
  ResetControl reset_control_;
  SystemControlPortA port_a_;
  FwCfg fw_cfg_;
  std::unique_ptr<CmosRtc> rtc_;
  std::unique_ptr<FileByteSink> com1_sink_;  // before com1_, which borrows it
  std::unique_ptr<Uart16550> com1_;
  TimerScheduler timers_;
  std::vector<std::unique_ptr<IoDevice>> devices_;  // configurable extras
  uint64_t idle_since_retired_ = ~0ull;  // deterministic idle limit, see run()
  uint64_t idle_since_ns_ = 0;
  std::optional<BootPlan> boot_plan_;  // -kernel: applied at every reset
  std::optional<int> exit_status_;
  bool reset_requested_ = false;
  std::string stop_message_;
};

}  // namespace sv
