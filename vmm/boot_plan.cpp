#include "vmm/boot_plan.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "vmm/little_endian.h"
#include "vmm/machine_config.h"

namespace sv {

namespace {

// Flat 4 GiB descriptors: base 0, limit 0xFFFFF with G=1, D/B=1, present,
// DPL 0, accessed already set (so the CPU never writes the GDT back).
constexpr uint64_t kFlatCode = 0x00CF9B000000FFFFull;  // execute/read
constexpr uint64_t kFlatData = 0x00CF93000000FFFFull;  // read/write
constexpr uint16_t kCodeAttr = segattr::P | segattr::S | segattr::CODE | segattr::WRITABLE |
                               segattr::ACCESSED | segattr::DB | segattr::G;
constexpr uint16_t kDataAttr = segattr::P | segattr::S | segattr::WRITABLE | segattr::ACCESSED |
                               segattr::DB | segattr::G;

SegmentCache flatSegment(uint16_t selector, uint16_t attr) {
  return SegmentCache{0, 0xFFFFFFFFu, selector, attr};
}

}  // namespace

MemoryWrite bootGdtWrite(uint64_t addr) {
  MemoryWrite w{addr, std::vector<uint8_t>(4 * 8, 0), 0, "boot GDT"};
  le::write64(w.bytes, kBootCodeSelector, kFlatCode);
  le::write64(w.bytes, kBootDataSelector, kFlatData);
  return w;
}

FlatProtectedModeEntry flatEntryWithBootGdt(uint64_t gdt_addr) {
  FlatProtectedModeEntry e;
  e.code_selector = kBootCodeSelector;
  e.data_selector = kBootDataSelector;
  e.gdt_base = uint32_t(gdt_addr);
  e.gdt_limit = 4 * 8 - 1;
  e.esp = uint32_t(boot_layout::kStackTop);
  return e;
}

void applyBootPlan(const BootPlan& plan, PhysicalMemory& memory, CpuState& cpu) {
  if (memory.ramSize() < plan.ram_bytes)
    throw ConfigError("direct boot: the boot plan needs " + std::to_string(plan.ram_bytes >> 20) +
                      " MiB of RAM, the machine has " + std::to_string(memory.ramSize() >> 20) + " MiB");
  static constexpr std::array<uint8_t, 4096> kZeros{};
  for (const MemoryWrite& w : plan.writes) {
    memory.writeBlock(w.addr, w.bytes.data(), w.bytes.size());
    for (uint64_t done = 0; done < w.zero_tail;) {
      const uint64_t n = std::min<uint64_t>(kZeros.size(), w.zero_tail - done);
      memory.writeBlock(w.addr + w.bytes.size() + done, kZeros.data(), n);
      done += n;
    }
  }

  const FlatProtectedModeEntry& e = plan.entry;
  for (uint64_t& r : cpu.gpr) r = 0;
  cpu.gpr[RAX] = e.eax;
  cpu.gpr[RBX] = e.ebx;
  cpu.gpr[RCX] = e.ecx;
  cpu.gpr[RDX] = e.edx;
  cpu.gpr[RSI] = e.esi;
  cpu.gpr[RDI] = e.edi;
  cpu.gpr[RBP] = e.ebp;
  cpu.gpr[RSP] = e.esp;
  cpu.rip = e.eip;
  cpu.rflags = flag::FIXED1;  // IF = 0, VM = 0 (both protocols)
  cpu.cr0 = cr0::PE | cr0::ET;  // protected mode, paging off, caches on
  cpu.cr3 = 0;
  cpu.cr4 = 0;
  cpu.efer = 0;
  cpu.gdtr = TableRegister{e.gdt_base, e.gdt_limit, 0};
  // No IDT yet: with IF = 0 nothing should arrive; a fault before the guest
  // loads its own IDT shuts the machine down visibly instead of jumping
  // through garbage.
  cpu.idtr = TableRegister{0, 0, 0};
  cpu.seg[CS] = flatSegment(e.code_selector, kCodeAttr);
  for (SegReg s : {DS, ES, SS, FS, GS}) cpu.seg[s] = flatSegment(e.data_selector, kDataAttr);
  cpu.a20_mask = ~0ull;
  cpu.halted = 0;
  cpu.interrupt_shadow = 0;
}

void refuseKernel(const std::string& path, const std::string& problem) {
  throw ConfigError("kernel '" + path + "': " + problem);
}

std::string hexString(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace sv
