// The block translator: the block cache's bookkeeping, and guests that the
// JIT must run exactly as the interpreter does (self-modifying code first).
#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>
#include <memory>
#include <vector>

#include "cpu/cpu.h"
#include "jit/block_cache.h"
#include "jit/jit.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

using namespace sv;
using sv::testing::FixedClock;
using sv::testing::NullPorts;

namespace {

std::unique_ptr<Block> makeBlock(uint64_t paddr, uint64_t mode_key, uint64_t rip) {
  auto b = std::make_unique<Block>();
  b->paddr = paddr;
  b->mode_key = mode_key;
  b->rip = rip;
  b->linear = paddr;
  b->count = 1;
  return b;
}

// OUT to port 0x20 raises the CPU's interrupt line; the acknowledge lowers
// it and answers vector 0x40.
class IrqPorts final : public PortIo, public InterruptAcknowledge {
 public:
  Cpu* cpu = nullptr;
  uint32_t portRead(uint16_t, unsigned) override { return 0xFFFFFFFF; }
  void portWrite(uint16_t port, unsigned, uint32_t) override {
    if (port == 0x20) cpu->setInterruptRequest(true);
  }
  uint8_t acknowledgeInterrupt() override {
    cpu->setInterruptRequest(false);
    return 0x40;
  }
};

// Real mode, code at 1000:0000, stack at 2000:FFF0; with or without the JIT.
struct Rig {
  static constexpr uint64_t kCode = 0x10000;
  PhysicalMemory mem{2 << 20};
  CodePageMap code_pages{mem};
  IrqPorts ports;
  FixedClock clock;
  Cpu cpu{mem, ports, clock, &code_pages};
  std::unique_ptr<Jit> jit;

  Rig(bool use_jit, std::initializer_list<uint8_t> code, JitOptions opt = {}) {
    if (use_jit) jit = std::make_unique<Jit>(cpu, code_pages, opt);
    ports.cpu = &cpu;
    cpu.setInterruptAcknowledge(&ports);
    cpu.reset();
    CpuState& s = cpu.state;
    s.seg[CS] = SegmentCache{kCode, 0xFFFF, 0x1000, s.seg[CS].attr};
    s.seg[SS] = SegmentCache{0x20000, 0xFFFF, 0x2000, s.seg[SS].attr};
    s.rip = 0;
    s.gpr[RSP] = 0xFFF0;
    cpu.updateMode();
    std::memcpy(mem.ramHost() + kCode, std::data(code), code.size());
  }
};

// Runs `code` to its HLT under the interpreter and the JIT; both must end in
// the same state. Returns the JIT's rig for further checks.
std::unique_ptr<Rig> runBoth(std::initializer_list<uint8_t> code) {
  Rig interp(false, code);
  CHECK(interp.cpu.run(10000) == Cpu::Exit::Halted);
  auto jit = std::make_unique<Rig>(true, code);
  CHECK(jit->cpu.run(10000) == Cpu::Exit::Halted);
  for (unsigned r = 0; r < 16; ++r) CHECK(jit->cpu.state.gpr[r] == interp.cpu.state.gpr[r]);
  CHECK(jit->cpu.state.rip == interp.cpu.state.rip);
  CHECK(jit->cpu.state.rflags == interp.cpu.state.rflags);
  CHECK(jit->cpu.stats().retired == interp.cpu.stats().retired);
  CHECK(std::memcmp(jit->mem.ramHost(), interp.mem.ramHost(), 1 << 20) == 0);
  return jit;
}

}  // namespace

TEST_CASE("block cache: insert, find, front cache, invalidate a page") {
  BlockCache cache;
  Block* a = cache.insert(makeBlock(0x5000, 1, 0x5000));
  Block* b = cache.insert(makeBlock(0x5800, 1, 0x5800));
  Block* c = cache.insert(makeBlock(0x6000, 1, 0x6000));
  CHECK(cache.size() == 3);
  CHECK(cache.pagesWithCode() == 2);
  CHECK(cache.find(0x5000, 1, 0, 0x5000) == a);
  CHECK(cache.find(0x5000, 2, 0, 0x5000) == nullptr);  // other mode
  CHECK(cache.find(0x5000, 1, 0, 0x5001) == nullptr);  // other RIP
  CHECK(cache.front(0x5000, 1) == nullptr);
  cache.setFront(a);
  cache.setFront(c);
  CHECK(cache.front(0x5000, 1) == a);
  CHECK(cache.front(0x5000, 2) == nullptr);

  // A store anywhere in page 0x5000 drops both of its blocks, nothing else.
  CHECK(cache.invalidatePage(0x5FFF) == 2);
  CHECK(!a->live);
  CHECK(!b->live);  // still readable: retired blocks live until takeRetired
  CHECK(c->live);
  CHECK(cache.find(0x5000, 1, 0, 0x5000) == nullptr);
  CHECK(cache.front(0x5000, 1) == nullptr);
  CHECK(cache.front(0x6000, 1) == c);
  CHECK(cache.invalidatePage(0x5000) == 0);
  CHECK(cache.takeRetired().size() == 2);
  CHECK(cache.takeRetired().empty());

  // Same identity again: the old block is retired.
  Block* c2 = cache.insert(makeBlock(0x6000, 1, 0x6000));
  CHECK(cache.find(0x6000, 1, 0, 0x6000) == c2);
  CHECK(cache.size() == 1);
  CHECK(cache.takeRetired().size() == 1);
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK(cache.front(0x6000, 1) == nullptr);
}

TEST_CASE("jit: a store into the running block changes the next instruction") {
  // mov byte [cs:7], 0x42 ; mov al, 0x00 (its immediate is patched) ; hlt
  auto rig = runBoth({0x2E, 0xC6, 0x06, 0x07, 0x00, 0x42, 0xB0, 0x00, 0xF4});
  CHECK((rig->cpu.state.gpr[RAX] & 0xFF) == 0x42);
  CHECK(rig->jit->stats().invalidated >= 1);
  CHECK(rig->jit->stats().blocks_run >= 2);
}

TEST_CASE("jit: a loop that patches its own body between iterations") {
  auto rig = runBoth({
      0xB9, 0x02, 0x00,                    // 0: mov cx, 2
      0xB0, 0x00,                          // 3: mov al, 0      (immediate at 4)
      0x00, 0xC3,                          // 5: add bl, al
      0x2E, 0xC6, 0x06, 0x04, 0x00, 0x05,  // 7: mov byte [cs:4], 5
      0xE2, 0xF4,                          // 13: loop 3
      0xF4,                                // 15: hlt
  });
  CHECK((rig->cpu.state.gpr[RBX] & 0xFF) == 5);
  CHECK(rig->jit->stats().invalidated >= 2);
}

TEST_CASE("jit: stores to data beside code in its page keep the blocks, stores into a block drop it") {
  // mov bx, 8 ; loop: mov byte [cs:0x80], bl ; dec bx ; jnz loop ; hlt
  // The store lands 128 bytes from the loop (another granule): the loop's
  // block survives all eight iterations.
  auto rig = runBoth({0xBB, 0x08, 0x00, 0x2E, 0x88, 0x1E, 0x80, 0x00, 0x4B, 0x75, 0xF8, 0xF4});
  CHECK(rig->mem.ramHost()[Rig::kCode + 0x80] == 1);
  CHECK(rig->jit->stats().invalidated == 0);
  CHECK(rig->jit->stats().data_writes == 8);
  CHECK(rig->code_pages.test(Rig::kCode));
  // A DMA-style or CPU store into the block's bytes drops it.
  rig->jit->codeWritten(Rig::kCode + 4, 1);
  CHECK(rig->jit->stats().invalidated >= 1);
}

TEST_CASE("jit: faults inside a block are delivered precisely") {
  // IVT entry 0 -> 0000:0500 (HLT); then: inc dx ; xor cx,cx ; div cx (#DE) ; inc dx
  Rig rig(true, {0x42, 0x31, 0xC9, 0xF7, 0xF1, 0x42, 0xF4});
  Rig ref(false, {0x42, 0x31, 0xC9, 0xF7, 0xF1, 0x42, 0xF4});
  for (Rig* r : {&rig, &ref}) {
    uint32_t entry = 0x500;
    std::memcpy(r->mem.ramHost(), &entry, 4);
    r->mem.ramHost()[0x500] = 0xF4;
    CHECK(r->cpu.run(1000) == Cpu::Exit::Halted);
  }
  CHECK(rig.cpu.state.gpr[RDX] == ref.cpu.state.gpr[RDX]);
  CHECK(rig.cpu.state.rip == ref.cpu.state.rip);
  CHECK(rig.cpu.state.gpr[RSP] == ref.cpu.state.gpr[RSP]);
  CHECK(rig.cpu.stats().exceptions == 1);
  // The return address pushed is the DIV's (offset 3).
  uint16_t pushed_ip = 0;
  std::memcpy(&pushed_ip, rig.mem.ramHost() + 0x20000 + (rig.cpu.state.gpr[RSP] & 0xFFFF), 2);
  CHECK(pushed_ip == 3);
}

TEST_CASE("jit: budgets are exact in retired instructions") {
  // An endless loop: inc ax ; inc bx ; jmp short 0
  Rig rig(true, {0x40, 0x43, 0xEB, 0xFC});
  CHECK(rig.cpu.run(1000) == Cpu::Exit::Budget);
  CHECK(rig.cpu.stats().retired == 1000);
  CHECK(rig.jit->stats().blocks_run > 0);
}

TEST_CASE("jit: without exact budgets (host-time slices) a block longer than the budget's rest runs whole") {
  // A 3-instruction loop body: a budget of 1000 ends on instruction 1000
  // exactly when budgets are exact (the tail stepped), and at most one
  // block later when they are not, with no instruction stepped.
  for (bool exact : {true, false}) {
    JitOptions opt;
    opt.exact_budget = exact;
    Rig rig(true, {0x40, 0x43, 0xEB, 0xFC}, opt);
    CHECK(rig.cpu.run(1000) == Cpu::Exit::Budget);
    const uint64_t retired = rig.cpu.stats().retired;
    if (exact) {
      CHECK(retired == 1000);
      CHECK(rig.jit->stats().steps > 0);  // 1000 = 333 * 3 + 1: the last one alone
    } else {
      CHECK(retired >= 1000);
      CHECK(retired < 1000 + 3);
      CHECK(rig.jit->stats().steps == 0);
      CHECK(rig.cpu.state.gpr[RAX] + rig.cpu.state.gpr[RBX] == retired - retired / 3);  // whole bodies
    }
  }
}

TEST_CASE("jit: an interrupt raised by a device inside a block is taken after that instruction") {
  // sti ; nop ; out 0x20, al (raises INTR) ; inc bx ; inc bx ; hlt
  // Vector 0x40 -> 0000:0600: mov cx, bx ; hlt.  CX tells where it hit.
  std::initializer_list<uint8_t> code = {0xFB, 0x90, 0xE6, 0x20, 0x43, 0x43, 0xF4};
  Rig rig(true, code);
  Rig ref(false, code);
  for (Rig* r : {&rig, &ref}) {
    uint32_t entry = 0x600;
    std::memcpy(r->mem.ramHost() + 0x40 * 4, &entry, 4);
    const uint8_t handler[] = {0x89, 0xD9, 0xF4};
    std::memcpy(r->mem.ramHost() + 0x600, handler, sizeof handler);
    CHECK(r->cpu.run(1000) == Cpu::Exit::Halted);
  }
  CHECK(ref.cpu.state.gpr[RCX] == 0);
  CHECK(rig.cpu.state.gpr[RCX] == ref.cpu.state.gpr[RCX]);
  CHECK(rig.cpu.state.rip == ref.cpu.state.rip);
  CHECK(rig.cpu.stats().retired == ref.cpu.stats().retired);
}

TEST_CASE("jit: a full code buffer is flushed between blocks and translation goes on") {
  // mov cx, 50 ; l: inc ax ; nop ; loop l ; hlt -- with a 1-byte code limit
  // every block entry flushes first.
  std::initializer_list<uint8_t> code = {0xB9, 0x32, 0x00, 0x40, 0x90, 0xE2, 0xFC, 0xF4};
  JitOptions opt;
  opt.code_limit = 1;
  Rig rig(true, code, opt);
  Rig ref(false, code);
  CHECK(rig.cpu.run(10000) == Cpu::Exit::Halted);
  CHECK(ref.cpu.run(10000) == Cpu::Exit::Halted);
  CHECK(rig.cpu.state.gpr[RAX] == ref.cpu.state.gpr[RAX]);
  CHECK(rig.cpu.stats().retired == ref.cpu.stats().retired);
  CHECK(rig.jit->stats().flushes > 10);
  CHECK(rig.jit->stats().translations > 10);
}
