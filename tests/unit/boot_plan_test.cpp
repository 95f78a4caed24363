#include <doctest/doctest.h>

#include "cpu/cpu_state.h"
#include "memory/physical_memory.h"
#include "vmm/boot_plan.h"
#include "vmm/machine_config.h"
#include "vmm/pc_memory_map.h"

using namespace sv;

TEST_CASE("the PC memory map has the EBDA and BIOS holes and RAM from 1 MiB") {
  const auto map = pcMemoryMap(128ull << 20);
  REQUIRE(map.size() == 4);
  CHECK(map[0] == E820Entry{0, 0x9FC00, E820Type::Ram});
  CHECK(map[1] == E820Entry{0x9FC00, 0x400, E820Type::Reserved});
  CHECK(map[2] == E820Entry{0xE0000, 0x20000, E820Type::Reserved});  // ACPI tables + BIOS
  CHECK(map[3] == E820Entry{0x100000, (128ull << 20) - 0x100000, E820Type::Ram});
}

TEST_CASE("RAM above 3 GiB appears at 4 GiB in the memory map, as PhysicalMemory maps it") {
  const uint64_t ram = 4ull << 30;
  const auto map = pcMemoryMap(ram);
  REQUIRE(map.size() == 5);
  CHECK(map[3] == E820Entry{0x100000, PhysicalMemory::kPciHoleStart - 0x100000, E820Type::Ram});
  CHECK(map[4] == E820Entry{PhysicalMemory::kHighRamBase, ram - PhysicalMemory::kPciHoleStart, E820Type::Ram});
  CHECK(ramEndBelow4G(ram) == PhysicalMemory::kPciHoleStart);
  CHECK(ramEndBelow4G(64ull << 20) == (64ull << 20));
}

TEST_CASE("applying a boot plan writes memory, zeroes tails and enters flat protected mode") {
  PhysicalMemory mem(8ull << 20);
  mem.writeBlock(0x200000, std::vector<uint8_t>(128, 0xEE).data(), 128);  // stale bytes the bss must clear
  BootPlan plan;
  plan.ram_bytes = 8ull << 20;
  plan.writes.push_back(bootGdtWrite(boot_layout::kGdt));
  plan.writes.push_back({0x1FFFFC, {1, 2, 3, 4}, 64, "payload"});
  plan.entry = flatEntryWithBootGdt(boot_layout::kGdt);
  plan.entry.eip = 0x1FFFFC;
  plan.entry.eax = 0x11;
  plan.entry.esi = 0x7000;

  CpuState cpu{};
  cpu.rflags = flag::IF | flag::FIXED1;
  cpu.cr0 = cr0::PG | cr0::PE;
  applyBootPlan(plan, mem, cpu);

  CHECK(mem.read(0x1FFFFC, 4) == 0x04030201u);
  CHECK(mem.read(0x200000, 8) == 0);
  CHECK(mem.read(0x200038, 8) == 0);
  CHECK(mem.read(0x200040, 1) == 0xEE);  // beyond the tail: untouched
  CHECK(mem.read(boot_layout::kGdt + kBootCodeSelector, 8) == 0x00CF9B000000FFFFull);
  CHECK(mem.read(boot_layout::kGdt + kBootDataSelector, 8) == 0x00CF93000000FFFFull);

  CHECK(cpu.rip == 0x1FFFFC);
  CHECK(cpu.gpr[RAX] == 0x11);
  CHECK(cpu.gpr[RSI] == 0x7000);
  CHECK(cpu.gpr[RBX] == 0);
  CHECK(cpu.rflags == flag::FIXED1);
  CHECK(cpu.cr0 == (cr0::PE | cr0::ET));
  CHECK(cpu.gdtr.base == boot_layout::kGdt);
  CHECK(cpu.gdtr.limit == 31);
  CHECK(cpu.seg[CS].selector == kBootCodeSelector);
  CHECK(cpu.seg[CS].limit == 0xFFFFFFFFu);
  CHECK((cpu.seg[CS].attr & (segattr::CODE | segattr::DB | segattr::P)) == (segattr::CODE | segattr::DB | segattr::P));
  for (SegReg s : {DS, ES, SS, FS, GS}) {
    CHECK(cpu.seg[s].selector == kBootDataSelector);
    CHECK(cpu.seg[s].base == 0);
    CHECK((cpu.seg[s].attr & (segattr::CODE | segattr::WRITABLE)) == segattr::WRITABLE);
  }
}

TEST_CASE("a boot plan made for more RAM than the machine has is refused") {
  PhysicalMemory mem(4ull << 20);
  BootPlan plan;
  plan.ram_bytes = 8ull << 20;
  CpuState cpu{};
  CHECK_THROWS_AS(applyBootPlan(plan, mem, cpu), ConfigError);
}
