// One virtual machine: owns its memory, I/O bus, devices, clock and vCPU,
// and runs them. Nothing here is global, so several Machines can coexist.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/system_control_port_b.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "vmm/machine_config.h"
#include "vmm/timer_scheduler.h"
#include "vmm/virtual_clock.h"

namespace sv {

class Jit;

class Machine final : private PortIo, private TimeSource, private DeviceClock {
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

  Cpu& cpu() { return cpu_; }
  PhysicalMemory& memory() { return mem_; }
  IoBus& io() { return io_; }
  VirtualClock& clock() { return clock_; }

 private:
  uint32_t portRead(uint16_t port, unsigned size) override { return io_.read(port, size); }
  void portWrite(uint16_t port, unsigned size, uint32_t value) override { io_.write(port, size, value); }
  uint64_t tscNow() override { return clock_.tsc(); }
  uint64_t nowNs() override { return clock_.nowNs(); }

  void buildDevices();
  void buildBoard();  // PIC pair, PIT, port 0x61 and their wiring
  void resetBoard();
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
  TimerScheduler timers_;
  std::vector<std::unique_ptr<IoDevice>> devices_;  // configurable extras
  uint64_t idle_since_retired_ = ~0ull;  // deterministic idle limit, see run()
  uint64_t idle_since_ns_ = 0;
  std::optional<int> exit_status_;
  std::string stop_message_;
};

}  // namespace sv
