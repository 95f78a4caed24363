#include "vmm/machine.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <unistd.h>

#include "devices/debug_console.h"
#include "devices/debug_exit.h"
#include "devices/acpi/acpi_tables.h"
#include "jit/jit.h"
#include "vmm/acpi_placement.h"
#include "vmm/direct_boot.h"
#include "vmm/rom_loader.h"

namespace sv {

namespace {
constexpr uint64_t kSliceInstructions = 100'000;
// Host-time mode cannot convert a deadline to instructions, so while a
// timer is armed the slice is short enough (tens of microseconds at
// interpreter speed) for timer interrupts to arrive on time.
constexpr uint64_t kHostTimerSliceInstructions = 10'000;
// A halted host-mode VM wakes at least this often (stop requests).
constexpr uint64_t kMaxHostSleepNs = 10'000'000;
// Deterministic mode: a CPU halted with IF=1 whose timers never wake it
// (IRQ0 masked, say) would jump time forever; give up after this much
// virtual time without an instruction.
constexpr uint64_t kMaxDeterministicIdleNs = 60'000'000'000ull;
// Direct boot places the VGA's linear framebuffer (BAR0) where SeaBIOS
// puts it on QEMU's pc machine: in the DSDT's PCI window, clear of the
// I/O APIC, HPET and local APIC, so Linux keeps the assignment and its
// screen_info stays true.
constexpr uint32_t kDirectBootLfbBase = 0xFD000000;

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
      cpu_(mem_, static_cast<PortIo&>(*this), static_cast<TimeSource&>(*this), &code_pages_),
      lapic_(static_cast<DeviceClock&>(*this), apic_board::kBspApicId, localApicWiring()),
      io_apic_(apic_board::kIoApicId,
               [this](const ApicMessage& m) { lapic_.deliverMessage(m.mode, m.vector, m.level_triggered, m.logical, m.destination); }),
      hpet_(static_cast<DeviceClock&>(*this), hpetWiring()),
      pic_([this](bool level) { lapic_.setLint(0, level); }),
      pit_(static_cast<DeviceClock&>(*this), [this](bool level) { setReplaceableIrq(0, false, level); }),
      port_b_(static_cast<DeviceClock&>(*this), pit_),
      pci_bars_(io_, mem_, [this](uint64_t base, uint64_t size) { memoryMapChanged(base, size); }),
      pci_(&pci_bars_),
      pci_io_(pci_),
      host_bridge_([this] { applyPam(); }),
      isa_bridge_([this](unsigned irq, bool level) { pic_.setIrq(irq, level); }),
      isa_dma_(static_cast<DmaMemory&>(*this)),
      reset_control_([this] { requestReset("port 0xCF9"); }),
      port_a_([this](bool on) { cpu_.setA20(on); }, [this] { requestReset("port 0x92"); }),
      fw_cfg_(static_cast<DmaMemory&>(*this), config_.log_unimp ? stderr : nullptr) {
  clock_.attachInstructionCounter(&cpu_.stats().retired);
  if (config_.bios_path.empty() && !config_.direct_boot)
    throw ConfigError("nothing to run: give -bios FILE or -kernel FILE");
  if (!config_.bios_path.empty()) {
    std::vector<uint8_t> bios = readImageFile(config_.bios_path, "BIOS image");
    mapSystemBios(mem_, bios, config_.bios_path);
  }
  if (config_.direct_boot) {
    std::optional<FramebufferOffer> framebuffer;
    if (config_.vga) framebuffer = FramebufferOffer{kDirectBootLfbBase, StdVga::kVramBytes};
    boot_plan_ = planDirectBoot(*config_.direct_boot, config_.ram_bytes, framebuffer);
  }
  buildBoard();
  buildInterruptRouting();
  buildChipset();
  buildStorage();
  buildSuperIo();
  buildDisplay();
  buildAcpi();
  buildInputDevices();
  buildDevices();
  if (boot_plan_) addMpTableToBootPlan();  // after every PCI device is attached
  if (config_.accel == Accel::Jit) {
    JitOptions opt;
    if (config_.jit_dump) opt.dump = stderr;
    opt.dump_host = config_.jit_dump_host;
    if (config_.jit_one_insn_per_block) opt.max_block_insns = 1;
    // Only deterministic mode counts time in instructions.
    opt.exact_budget = clock_.mode() == VirtualClock::Mode::Deterministic;
    jit_ = std::make_unique<Jit>(cpu_, code_pages_, opt);
  }
  resetBoard();
}

Machine::~Machine() = default;

void Machine::buildBoard() {
  pic_.attach(io_);
  pit_.attach(io_);
  port_b_.attach(io_);
  // A guest write to the PIT may move its next deadline: end the slice
  // (after the current instruction) so run() reschedules.
  pit_.setDeadlineChangedCallback([this] { cpu_.requestStop(); });
  timers_.add(pit_);
}

void Machine::buildChipset() {
  pci_.attach(0, 0, host_bridge_);
  pci_.attach(1, 0, isa_bridge_);
  pci_io_.attach(io_);
  reset_control_.attach(io_);
  port_a_.attach(io_);
  fw_cfg_.attach(io_);
  fillFwCfg();
}

void Machine::buildSuperIo() {
  // Deterministic runs start the RTC at a fixed date (2026-01-01 00:00 UTC).
  constexpr int64_t kDeterministicEpoch = 1767225600;
  int64_t start = config_.rtc_start_epoch_s.value_or(config_.icount_shift ? kDeterministicEpoch : std::time(nullptr));
  CmosBoardConfig board;
  board.ram_bytes = mem_.ramSize();
  board.cpu_count = 1;
  describeStorage(board);
  rtc_ = std::make_unique<CmosRtc>(static_cast<DeviceClock&>(*this), [this](bool level) { setReplaceableIrq(CmosRtc::kIrq, false, level); },
                                   start, board);
  io_.registerPorts(CmosRtc::kIndexPort, CmosRtc::kPortCount, *rtc_, "rtc-cmos");
  timers_.add(*rtc_);
  if (config_.com1) {
    com1_sink_ = std::make_unique<FileByteSink>(*config_.com1, "serial port");
    com1_ = std::make_unique<Uart16550>(Uart16550::kCom1Base, Uart16550::kCom1Irq, static_cast<DeviceClock&>(*this),
                                        [this](bool level) { setIsaIrq(Uart16550::kCom1Irq, level); }, com1_sink_.get());
    io_.registerPorts(Uart16550::kCom1Base, Uart16550::kPortCount, *com1_, "serial-com1");
    timers_.add(*com1_);
    if (config_.com1_stdin) com1_input_ = std::make_unique<SerialInput>(STDIN_FILENO);
  }
}

void Machine::buildAcpi() {
  acpi_pm_ = std::make_unique<AcpiPmRegisters>(
      static_cast<DeviceClock&>(*this), [this](bool level) { setIsaIrq(piix4_pm::kSciIrq, level); },
      [this] { requestExit(0, "guest powered off (ACPI S5)"); });
  pm_function_ = std::make_unique<Piix4Pm>(io_, *acpi_pm_);
  pci_.attach(1, 3, *pm_function_);
  acpi_pm_->setDeadlineChangedCallback([this] { cpu_.requestStop(); });
  timers_.add(*acpi_pm_);
  AcpiBoardDescription board;
  board.com1_base = Uart16550::kCom1Base;
  board.com1_irq = Uart16550::kCom1Irq;
  board.rtc_century_index = 0x32;
  board.pci_hole_start = static_cast<uint32_t>(PhysicalMemory::kPciHoleStart);
  // The APIC family is always on the board (vmm/machine_interrupts.cpp).
  board.has_apic = true;
  board.local_apic_base = static_cast<uint32_t>(apic_board::kLocalApicBase);
  board.ioapic_base = static_cast<uint32_t>(apic_board::kIoApicBase);
  board.ioapic_id = apic_board::kIoApicId;
  board.has_hpet = true;
  board.hpet_base = static_cast<uint32_t>(apic_board::kHpetBase);
  board.hpet_event_timer_block_id = apic_board::kHpetBlockId;
  acpi_tables_ = buildAcpiTables(board);
  addAcpiFwCfgFiles(fw_cfg_, acpi_tables_);
}

void Machine::buildInputDevices() {
  // A20 from the output port and from port 0x92 drive the same line: the
  // last write wins, as on QEMU.
  i8042_ = std::make_unique<I8042>([this](bool level) { setIsaIrq(I8042::kKeyboardIrq, level); },
                                   [this](bool level) { setIsaIrq(I8042::kMouseIrq, level); },
                                   [this](bool on) { cpu_.setA20(on); }, [this] { requestReset("i8042"); });
  i8042_->attach(io_);
}

void Machine::pumpSerialInput() {
  if (!com1_input_) return;
  uint8_t b;
  while (com1_->rxFreeSpace() > 0 && com1_input_->pop(b)) {
    switch (console_escape_.feed(b)) {
      case ConsoleEscape::Action::Forward: com1_->receive(b); break;
      case ConsoleEscape::Action::Quit: requestExit(0, "terminated by C-a x"); return;
      case ConsoleEscape::Action::Help: std::fputs(ConsoleEscape::helpText(), stderr); break;
      case ConsoleEscape::Action::None: break;
    }
  }
}

void Machine::installAcpiForDirectBoot() {
  pm_function_->enableAt(piix4_pm::kDefaultPmBase);
  // PAM5/PAM6: 0xE0000-0xEFFFF read and write RAM, as firmware leaves it.
  host_bridge_.configWrite(I440fxHost::kPam0 + 5, 1, 0x33);
  host_bridge_.configWrite(I440fxHost::kPam0 + 6, 1, 0x33);
  const PlacedAcpiTables placed = placeAcpiTablesForDirectBoot(acpi_tables_);
  mem_.writeBlock(placed.rsdp_address, placed.image.data(), placed.image.size());
}

void Machine::fillFwCfg() {
  auto le = [](uint64_t v, unsigned n) {
    std::vector<uint8_t> b(n);
    for (unsigned i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    return b;
  };
  fw_cfg_.setItem(fwcfg::kUuid, std::vector<uint8_t>(16, 0));
  fw_cfg_.setItem(fwcfg::kRamSize, le(mem_.ramSize(), 8));
  fw_cfg_.setItem(fwcfg::kNoGraphic, le(1, 2));
  fw_cfg_.setItem(fwcfg::kNbCpus, le(1, 2));
  fw_cfg_.setItem(fwcfg::kMaxCpus, le(1, 2));
  fw_cfg_.setItem(fwcfg::kBootMenu, le(0, 2));
  // NUMA: u64 node count (0), then a node per CPU and a size per node,
  // all little-endian; no NUMA means 1 + MAX_CPUS zero words, as on QEMU.
  fw_cfg_.setItem(fwcfg::kNuma, std::vector<uint8_t>(8 * (1 + 1), 0));
  fw_cfg_.setItem(fwcfg::kIrq0Override, le(1, 4));  // IRQ0 is wired to GSI2 on the IOAPIC, as on QEMU
  // etc/e820: packed little-endian {u64 address, u64 length, u32 type}, the
  // RAM ranges of the board (the firmware carves out its own holes).
  std::vector<uint8_t> e820;
  auto entry = [&](uint64_t base, uint64_t len, uint32_t type) {
    for (auto part : {le(base, 8), le(len, 8), le(type, 4)}) e820.insert(e820.end(), part.begin(), part.end());
  };
  entry(0, mem_.ramBelow4G(), 1);
  if (mem_.ramSize() > mem_.ramBelow4G()) entry(PhysicalMemory::kHighRamBase, mem_.ramSize() - mem_.ramBelow4G(), 1);
  fw_cfg_.addFile("etc/e820", std::move(e820));
  fw_cfg_.addFile("bootorder", {});
  fw_cfg_.addFile("etc/boot-fail-wait", le(static_cast<uint32_t>(config_.boot_fail_wait_ms), 4));
}

void Machine::applyPam() {
  for (const PamSegment& seg : host_bridge_.pamSegments()) mem_.setLegacyShadow(seg.base, seg.size, seg.read_ram, seg.write_ram);
  // Every cached view of 0xC0000-0xFFFFF may be stale now.
  cpu_.tlb().flushAll();
  if (jit_)
    for (uint64_t p = PhysicalMemory::kLegacyShadowBase; p < PhysicalMemory::kLegacyShadowBase + PhysicalMemory::kLegacyShadowSize;
         p += kPageSize)
      jit_->codePageWritten(p);
  cpu_.requestBlockExit();
}

// A PCI memory window came or went: it may cover pages the TLB holds as
// RAM, or code the JIT translated (a guest can place a BAR anywhere).
void Machine::memoryMapChanged(uint64_t base, uint64_t size) {
  cpu_.tlb().flushAll();
  if (jit_)
    for (uint64_t p = base & ~kPageMask; p - base < size; p += kPageSize)
      if (code_pages_.test(p)) jit_->codePageWritten(p);
  cpu_.requestBlockExit();
}

void Machine::dmaRead(uint64_t paddr, void* dst, size_t len) { mem_.readBlock(paddr, dst, len); }

void Machine::dmaWrite(uint64_t paddr, const void* src, size_t len) {
  // Translated code on the target pages goes, as for a CPU store.
  if (jit_) {
    // Page by page, counted in bytes, so a transfer that wraps the address
    // space ends.
    for (uint64_t at = paddr, left = len; left;) {
      const uint64_t chunk = std::min<uint64_t>(left, kPageSize - (at & kPageMask));
      if (code_pages_.test(at)) jit_->codeWritten(at, chunk);
      at += chunk;
      left -= chunk;
    }
  }
  mem_.writeBlock(paddr, src, len);
}

void Machine::requestReset(const char* source) {
  reset_requested_ = true;
  reset_source_ = source;
  cpu_.requestStop();
}

void Machine::resetBoard() {
  cpu_.reset();
  lapic_.reset();
  io_apic_.reset();
  hpet_.reset();
  pic_.reset();
  pit_.reset();
  port_b_.reset();
  pci_io_.reset();
  pci_.reset();  // PAM back to "bus" (ROM) for the whole BIOS area
  reset_control_.reset();
  port_a_.reset();
  fw_cfg_.reset();
  isa_dma_.reset();
  fdc_->reset();
  rtc_->reset();
  if (com1_) com1_->reset();
  if (vga_) vga_->reset();
  acpi_pm_->reset();
  i8042_->reset();
  if (boot_plan_) enterDirectBoot();
}

// Direct boot (re)starts the kernel at every reset, as QEMU reloads it:
// the plan's memory contents and the flat 32-bit entry state, then the
// CPU's derived state (mode, shadow TLB) and A20 on.
void Machine::enterDirectBoot() {
  installAcpiForDirectBoot();
  applyBootPlan(*boot_plan_, mem_, cpu_.state);
  if (const auto& fb = boot_plan_->framebuffer; fb && vga_) {
    const FramebufferMode& m = fb->mode;
    if (!vga_->setLinearMode(static_cast<uint32_t>(fb->base), m.width, m.height, m.bpp))
      throw ConfigError("direct boot: the VGA refused the " + std::to_string(m.width) + "x" + std::to_string(m.height) +
                        "x" + std::to_string(m.bpp) + " framebuffer mode the kernel was promised");
  }
  if (jit_) jit_->flush();  // the plan rewrote memory behind the CPU's back
  CpuState& s = cpu_.state;
  cpu_.setPagingRegisters(s.cr0, s.cr3, s.cr4, s.efer);
  cpu_.updateMode();
  cpu_.setA20(true);
}

uint64_t Machine::sliceFor(uint64_t now_ns, uint64_t deadline_ns) const {
  if (deadline_ns == TimerScheduler::kNoDeadline) return kSliceInstructions;
  if (clock_.mode() == VirtualClock::Mode::Host) return kHostTimerSliceInstructions;
  // Deterministic: one instruction is 2^shift ns; run until the deadline's
  // instruction has retired (at least one, so time moves).
  const unsigned shift = config_.icount_shift.value_or(0);
  const uint64_t ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
  const uint64_t insns = (ns + (1ull << shift) - 1) >> shift;
  return std::min(kSliceInstructions, std::max<uint64_t>(1, insns));
}

void Machine::idleUntil(uint64_t deadline_ns) {
  if (clock_.mode() == VirtualClock::Mode::Deterministic) {
    clock_.skipIdleTo(deadline_ns);
    return;
  }
  const uint64_t now = clock_.nowNs();
  if (deadline_ns <= now) return;
  const uint64_t ns = std::min(deadline_ns - now, kMaxHostSleepNs);
  if (waitingForSerialInput()) {
    com1_input_->waitForInput(ns);  // a typed byte ends the sleep
    return;
  }
  timespec ts{static_cast<time_t>(ns / 1'000'000'000u), static_cast<long>(ns % 1'000'000'000u)};
  nanosleep(&ts, nullptr);  // EINTR: the loop looks again
}

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

// ---- display ----

void Machine::buildDisplay() {
  if (!config_.vga) return;
  vga_ = std::make_unique<StdVga>(static_cast<DeviceClock&>(*this));
  pci_.attach(2, 0, *vga_);
  vga_->attachLegacy(io_, mem_);
  // SeaBIOS runs the option ROM of a PCI device it finds as fw_cfg file
  // "pciVVVV,DDDD.rom" (its lookup_hardcode), as QEMU provides it.
  std::string rom = config_.vga->rom_path;
  const bool implicit = rom.empty();
  if (implicit && !config_.bios_path.empty()) {
    const size_t slash = config_.bios_path.find_last_of('/');
    rom = (slash == std::string::npos ? std::string() : config_.bios_path.substr(0, slash + 1)) + "vgabios-stdvga.bin";
    if (std::FILE* f = std::fopen(rom.c_str(), "rb")) std::fclose(f);
    else rom.clear();  // firmware without a VGA BIOS beside it: the guest gets none
  }
  if (!rom.empty()) fw_cfg_.addFile("pci1234,1111.rom", readImageFile(rom, "VGA BIOS image"));
}

void Machine::pollDisplay() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_display_refresh_) return;
  next_display_refresh_ = now + kDisplayRefreshPeriod;
  display_refresh_();
}

void Machine::requestExit(int status, std::string message) {
  if (!exit_status_) exit_status_ = status, exit_message_ = std::move(message);
  cpu_.requestStop();
}

int Machine::stop(int status, std::string message) {
  stop_message_ = std::move(message);
  if (jit_ && config_.jit_dump) {
    const JitStats& j = jit_->stats();
    std::fprintf(stderr,
                 "jit: %" PRIu64 " blocks translated, %" PRIu64 " entered, %" PRIu64 " insns stepped, %" PRIu64
                 " invalidated, %" PRIu64 " stores beside code, %" PRIu64 " flushes, %" PRIu64 " exits linked, %" PRIu64
                 " dispatched (%" PRIu64 " missed), %zu host bytes\n",
                 j.translations, j.blocks_run, j.steps, j.invalidated, j.data_writes, j.flushes, j.links, j.dispatches,
                 j.dispatch_misses, jit_->codeBytes());
  }
  for (auto& d : devices_)
    if (auto* dc = dynamic_cast<DebugConsole*>(d.get())) dc->flush();
  if (com1_sink_) com1_sink_->flush();
  return status;
}

int Machine::run() {
  for (;;) {
    if (display_refresh_) pollDisplay();
    pumpSerialInput();
    if (exit_status_) return stop(*exit_status_, exit_message_);
    // Timers raise what is due, then the slice ends by the next deadline.
    uint64_t now = clock_.nowNs();
    const uint64_t deadline = timers_.advanceAll(now);
    Cpu::Exit why = cpu_.run(sliceFor(now, deadline));
    if (exit_status_) return stop(*exit_status_, exit_message_);
    const CpuState& s = cpu_.state;
    char where[64];
    std::snprintf(where, sizeof where, "%04x:%08" PRIx64, s.seg[CS].selector, s.rip);
    if (reset_requested_) {
      reset_requested_ = false;
      if (config_.no_reboot)
        return stop(0, std::string("guest requested a system reset") + (*reset_source_ ? " through " : "") + reset_source_ +
                           " at " + where + " (-no-reboot: stopping)");
      resetBoard();
      why = Cpu::Exit::Stopped;  // the old halt/shutdown is gone; the instruction limit still counts
    }
    switch (why) {
      case Cpu::Exit::Budget:
      case Cpu::Exit::Stopped:
        // Exceptions count too: a guest stuck delivering faults must also stop.
        if (config_.max_instructions && cpu_.stats().retired + cpu_.stats().exceptions >= config_.max_instructions)
          return stop(1, "instruction limit of " + std::to_string(config_.max_instructions) + " reached at " + where);
        break;
      case Cpu::Exit::Halted: {
        if (!(s.rflags & flag::IF)) return stop(0, std::string("guest halted at ") + where + " with interrupts disabled");
        now = clock_.nowNs();
        const uint64_t next = timers_.advanceAll(now);
        if (cpu_.eventPending()) break;  // an interrupt is due: the next slice takes it
        if (next == TimerScheduler::kNoDeadline) {
          if (waitingForSerialInput()) {
            com1_input_->waitForInput(kMaxHostSleepNs);
            break;
          }
          return stop(0, std::string("guest halted at ") + where + " and no device can wake it");
        }
        if (clock_.mode() == VirtualClock::Mode::Deterministic) {
          if (cpu_.stats().retired != idle_since_retired_) idle_since_retired_ = cpu_.stats().retired, idle_since_ns_ = now;
          if (now - idle_since_ns_ > kMaxDeterministicIdleNs)
            return stop(0, std::string("guest halted at ") + where + " and nothing woke it in " +
                               std::to_string(kMaxDeterministicIdleNs / 1'000'000'000u) + " s of virtual time");
        }
        idleUntil(next);
        break;
      }
      case Cpu::Exit::Shutdown:
        if (config_.no_reboot) return stop(0, std::string("guest triple-faulted at ") + where + " (-no-reboot: stopping)");
        resetBoard();
        break;
    }
  }
}

}  // namespace sv
