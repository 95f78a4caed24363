// What a direct-boot loader (Linux boot protocol, multiboot v1) decides,
// as plain data: the bytes to put in guest RAM and the CPU state to start
// in. Loaders are pure functions from file bytes + RAM size to a BootPlan,
// so they are tested without a Machine; applyBootPlan() carries a plan out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_state.h"
#include "memory/physical_memory.h"

namespace sv {

// `bytes` copied to guest physical `addr`, followed by `zero_tail` zero
// bytes (an ELF segment's bss, for instance).
struct MemoryWrite {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
  uint64_t zero_tail = 0;
  std::string what;  // "kernel", "initrd", "boot_params" ... for messages/logs
  uint64_t end() const { return addr + bytes.size() + zero_tail; }
};

// Both protocols enter 32-bit protected mode with paging off, interrupts
// off and flat 4 GiB segments from a GDT the loader put in guest memory.
struct FlatProtectedModeEntry {
  uint32_t eip = 0;
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0, esi = 0, edi = 0, ebp = 0, esp = 0;
  uint16_t code_selector = 0;  // into the GDT below
  uint16_t data_selector = 0;  // DS, ES, SS, FS, GS
  uint32_t gdt_base = 0;
  uint16_t gdt_limit = 0;
};

// A linear-framebuffer graphics mode (Bochs VBE can show any of them).
struct FramebufferMode {
  unsigned width = 0, height = 0, bpp = 0;  // bpp 15, 16, 24 or 32
  unsigned lineBytes() const { return width * ((bpp + 7) / 8); }
  bool operator==(const FramebufferMode&) const = default;
};

// The mode a loader promised the kernel (Linux's screen_info): the Machine
// sets it on the display adapter, with its framebuffer at `base`, before
// the kernel runs, as a VESA BIOS would have for the boot loader.
struct BootFramebuffer {
  uint64_t base = 0;
  FramebufferMode mode;
};

struct BootPlan {
  std::vector<MemoryWrite> writes;
  FlatProtectedModeEntry entry;
  std::optional<BootFramebuffer> framebuffer;
  uint64_t ram_bytes = 0;  // the RAM size the plan was made for
  std::string summary;     // one line for logs: what goes where
};

// Low-memory addresses the loaders use for their own structures; all inside
// the e820 RAM below 0x9FC00 and clear of the real-mode IVT/BDA.
namespace boot_layout {
constexpr uint64_t kGdt = 0x500;           // 4 descriptors
constexpr uint64_t kStackTop = 0x7000;     // ESP: neither protocol needs one, a sane value costs nothing
constexpr uint64_t kBootParams = 0x7000;   // Linux zero page (4 KiB)
constexpr uint64_t kMultibootInfo = 0x8000;
constexpr uint64_t kCmdline = 0x20000;     // command lines and module strings
constexpr uint64_t kCmdlineCapacity = 0x10000;
constexpr uint64_t kFirstFree = 0x30000;   // everything the loaders own is below
}  // namespace boot_layout

// Selectors of the boot GDT: the Linux protocol (boot.rst, "32-bit Boot
// Protocol") requires __BOOT_CS = 0x10 and __BOOT_DS = 0x18; multiboot
// accepts any flat segments, so it uses the same table.
constexpr uint16_t kBootCodeSelector = 0x10;
constexpr uint16_t kBootDataSelector = 0x18;

// The GDT write (null, null, flat code 0x10, flat data 0x18) at `addr`, and
// the entry fields that point at it.
MemoryWrite bootGdtWrite(uint64_t addr);
FlatProtectedModeEntry flatEntryWithBootGdt(uint64_t gdt_addr);

// Copies the plan into guest RAM and sets the CPU registers. The caller
// (the Machine) has reset the CPU before and, after this, must tell the Cpu
// that CR0/CS changed (Cpu::setPagingRegisters + Cpu::updateMode) and open
// the A20 gate (Cpu::setA20(true)). Throws ConfigError when `memory` is
// smaller than the RAM the plan was made for.
void applyBootPlan(const BootPlan& plan, PhysicalMemory& memory, CpuState& cpu);

// Shared by the loaders: refusals name the file, numbers print in hex.
[[noreturn]] void refuseKernel(const std::string& path, const std::string& problem);
std::string hexString(uint64_t v);
inline uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace sv
