#include "vmm/machine.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "devices/debug_console.h"
#include "devices/debug_exit.h"
#include "jit/jit.h"
#include "vmm/rom_loader.h"

namespace sv {

namespace {
constexpr uint64_t kSliceInstructions = 100'000;

VirtualClock makeClock(const MachineConfig& c) {
  if (c.icount_shift) return VirtualClock(VirtualClock::Mode::Deterministic, *c.icount_shift);
  return VirtualClock(VirtualClock::Mode::Host);
}

uint64_t checkedRam(uint64_t bytes) {
  if (bytes < (1ull << 20) || bytes % kPageSize != 0)
    throw ConfigError("memory size " + std::to_string(bytes) + " bytes is not valid: give at least 1 MiB, in whole 4 KiB pages");
  return bytes;
}
}  // namespace

Machine::Machine(MachineConfig config)
    : config_(std::move(config)),
      clock_(makeClock(config_)),
      mem_(checkedRam(config_.ram_bytes)),
      code_pages_(mem_),
      cpu_(mem_, static_cast<PortIo&>(*this), static_cast<TimeSource&>(*this), &code_pages_) {
  clock_.attachInstructionCounter(&cpu_.stats().retired);
  if (config_.bios_path.empty()) throw ConfigError("no firmware given: use -bios FILE");
  std::vector<uint8_t> bios = readImageFile(config_.bios_path, "BIOS image");
  mapSystemBios(mem_, bios, config_.bios_path);
  buildDevices();
  if (config_.accel == Accel::Jit) {
    JitOptions opt;
    if (config_.jit_dump) opt.dump = stderr;
    opt.dump_host = config_.jit_dump_host;
    jit_ = std::make_unique<Jit>(cpu_, code_pages_, opt);
  }
  cpu_.reset();
}

Machine::~Machine() = default;

void Machine::buildDevices() {
  for (const DebugConsoleConfig& dc : config_.debug_consoles) {
    std::FILE* out = nullptr;
    bool owned = false;
    switch (dc.sink.kind) {
      case CharSink::Kind::Stdio: out = stdout; break;
      case CharSink::Kind::Null: out = std::fopen("/dev/null", "wb"), owned = true; break;
      case CharSink::Kind::File:
        out = std::fopen(dc.sink.path.c_str(), "wb");
        if (!out) throw ConfigError("cannot open debug console output '" + dc.sink.path + "': " + std::strerror(errno));
        owned = true;
        break;
    }
    auto dev = std::make_unique<DebugConsole>(out, owned);
    try {
      io_.registerPorts(dc.port, 1, *dev, "isa-debugcon");
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
    devices_.push_back(std::move(dev));
  }
  if (config_.debug_exit) {
    auto dev = std::make_unique<DebugExit>([this](int status) { requestExit(status); });
    try {
      io_.registerPorts(config_.debug_exit->port, config_.debug_exit->size, *dev, "isa-debug-exit");
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
    devices_.push_back(std::move(dev));
  }
}

void Machine::requestExit(int status) {
  if (!exit_status_) exit_status_ = status;
  cpu_.requestStop();
}

int Machine::stop(int status, std::string message) {
  stop_message_ = std::move(message);
  if (jit_ && config_.jit_dump) {
    const JitStats& j = jit_->stats();
    std::fprintf(stderr,
                 "jit: %" PRIu64 " blocks translated, %" PRIu64 " entered, %" PRIu64 " insns stepped, %" PRIu64
                 " invalidated, %" PRIu64 " flushes, %" PRIu64 " exits linked, %zu host bytes\n",
                 j.translations, j.blocks_run, j.steps, j.invalidated, j.flushes, j.links, jit_->codeBytes());
  }
  for (auto& d : devices_)
    if (auto* dc = dynamic_cast<DebugConsole*>(d.get())) dc->flush();
  return status;
}

int Machine::run() {
  for (;;) {
    Cpu::Exit why = cpu_.run(kSliceInstructions);
    if (exit_status_) return stop(*exit_status_, "");
    const CpuState& s = cpu_.state;
    char where[64];
    std::snprintf(where, sizeof where, "%04x:%08" PRIx64, s.seg[CS].selector, s.rip);
    switch (why) {
      case Cpu::Exit::Budget:
      case Cpu::Exit::Stopped:
        // Exceptions count too: a guest stuck delivering faults must also stop.
        if (config_.max_instructions && cpu_.stats().retired + cpu_.stats().exceptions >= config_.max_instructions)
          return stop(1, "instruction limit of " + std::to_string(config_.max_instructions) + " reached at " + where);
        break;
      case Cpu::Exit::Halted:
        // No device can raise an interrupt yet, so a halted CPU stays halted.
        return stop(0, std::string("guest halted at ") + where +
                           ((s.rflags & flag::IF) ? " and no device can wake it" : " with interrupts disabled"));
      case Cpu::Exit::Shutdown:
        if (config_.no_reboot) return stop(0, std::string("guest triple-faulted at ") + where + " (-no-reboot: stopping)");
        cpu_.reset();
        break;
    }
  }
}

}  // namespace sv
