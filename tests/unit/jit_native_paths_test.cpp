// Differential tests of the JIT's paths around native code, against the
// interpreter (tests/unit/jit_diff_rig.h): precise faults in native memory
// accesses, flat segments, chaining and budgets, REP string chunks,
// dispatch of indirect branches and RET, exits across mode keys.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/jit_diff_rig.h"

using namespace sv;
using namespace sv::testing::jitdiff;

TEST_CASE("jit flat segments: blocks that skip DS/ES/SS checks fault at 4 GiB and end at segment loads") {
  // With DS, ES and SS flat (selector 0x18) blocks skip the segment checks;
  // an access whose last byte passes 4 GiB must still fault (#GP/#SS), and
  // loading a non-flat DS (0x10, base 0x20000) in a flat block must apply
  // to the very next access.
  std::vector<uint8_t> code = {
      0xB8, 0x18, 0x00, 0x00, 0x00,        // mov eax, 0x18
      0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0,  // mov ds, eax ; mov es, eax ; mov ss, eax
      0x90,                                // nop (the MOV SS shadow)
      0xBC, 0x00, 0x80, 0x02, 0x00,        // mov esp, 0x28000
      0x53,                                // push ebx
      0x89, 0x0D, 0x00, 0x10, 0x02, 0x00,  // mov [0x21000], ecx
      0x03, 0x15, 0x00, 0x10, 0x02, 0x00,  // add edx, [0x21000]
      0x5E,                                // pop esi
      0x8B, 0x7D, 0x00,                    // mov edi, [ebp] (SS)
      0x89, 0xD7,                          // mov edi, edx
      0x8B, 0x03,                          // mov eax, [ebx] (DS)
      0xB8, 0x10, 0x00, 0x00, 0x00,        // mov eax, 0x10
      0x8E, 0xD8,                          // mov ds, eax (not flat: the block ends)
      0x89, 0x15, 0x00, 0x01, 0x00, 0x00,  // mov [0x100], edx (-> 0x20100)
      0xF4};                               // hlt
  const uint64_t kAddrs[] = {0x22000, 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFF, 0x2F000};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Prot32Paging})
    for (uint64_t ebp : kAddrs)
      for (uint64_t ebx : kAddrs) {
        uint64_t regs[8] = {0, 0x1234, 0x5678, ebx, 0x8000, ebp, 0, 0};
        runAndCompare(rigs, mode, code, regs, 0, 200,
                      "ebp " + std::to_string(ebp) + " ebx " + std::to_string(ebx));
      }
  uint64_t regs[8] = {0, 0x1234, 0x5678, 0x22000, 0x8000, 0x22000, 0, 0};
  CHECK(runAndCompare(rigs, Mode::Prot32, code, regs, 0, 200, "no fault") == Cpu::Exit::Halted);
  CHECK(rigs.jit.cpu.stats().exceptions == rigs.ref.cpu.stats().exceptions);
  uint32_t stored = 0;
  std::memcpy(&stored, rigs.jit.mem.ramHost() + 0x20100, 4);
  CHECK(stored == 0x5678 + 0x1234);
}

TEST_CASE("jit faults: a native access beyond the segment limit faults precisely") {
  // Real mode: inc bx ; mov ax, [0xFFFF] (#GP: the word crosses the limit) ; inc bx ; hlt
  std::vector<uint8_t> code = {0x43, 0x8B, 0x06, 0xFF, 0xFF, 0x43, 0xF4};
  uint64_t regs[8] = {0x1111, 0x2222, 0x3333, 0x4444, 0x8000, 0, 0, 0};
  RigPair rigs;
  runAndCompare(rigs, Mode::Real16, code, regs, 0, 100, "real mode limit");
  // The same through SS (BP-based address: #SS in protected mode) and as a
  // read-modify-write destination, in 32-bit protected mode with a data
  // limit of 0xFFF.
  std::vector<uint8_t> pm = {0x43,                          // inc ebx
                             0x01, 0x45, 0x10,              // add [ebp+0x10], eax (beyond the limit: #SS)
                             0x43, 0xF4};
  uint64_t pregs[8] = {5, 0, 0, 0, 0xF00, 0xFF8, 0, 0};  // the fault frame fits below the limit
  runAndCompare(rigs, Mode::Prot32, pm, pregs, 0, 100, "ss limit", 0xFFF);
  std::vector<uint8_t> pm2 = {0x43, 0x89, 0x1D, 0xFE, 0x0F, 0x00, 0x00, 0x43, 0xF4};  // mov [0xFFE], ebx
  runAndCompare(rigs, Mode::Prot32, pm2, pregs, 0, 100, "ds limit", 0xFFF);
  // Whatever the interpreter does, the JIT does; and the interpreter does fault here.
  DiffRig ref(false, Mode::Prot32, pm2, 0xFFF);
  for (unsigned i = 0; i < 8; ++i) ref.cpu.state.gpr[i] = pregs[i];
  ref.cpu.run(100);
  CHECK(ref.cpu.stats().exceptions == 1);
}

TEST_CASE("jit faults: a native access to a page that is not present raises #PF precisely") {
  // Data page 0x2F000 (offset 0xF000 in the data segment) is not present.
  // inc ebx ; add ecx, 3 ; mov [0xF010], eax ; inc ebx ; hlt
  std::vector<uint8_t> code = {0x43, 0x83, 0xC1, 0x03, 0xA3, 0x10, 0xF0, 0x00, 0x00, 0x43, 0xF4};
  uint64_t regs[8] = {0xAAAA, 7, 0, 0, 0x8000, 0, 0, 0};
  RigPair rigs;
  runAndCompare(rigs, Mode::Prot32Paging, code, regs, 0, 100, "#PF write");
  // A read-modify-write and a load, with native instructions before them in the block.
  std::vector<uint8_t> rmw = {0x43, 0x41, 0x01, 0x05, 0x20, 0xF0, 0x00, 0x00, 0x43, 0xF4};  // add [0xF020], eax
  runAndCompare(rigs, Mode::Prot32Paging, rmw, regs, 0, 100, "#PF rmw");
  std::vector<uint8_t> load = {0x43, 0x8B, 0x0D, 0x00, 0xF8, 0x00, 0x00, 0x43, 0xF4};  // mov ecx, [0xF800]
  runAndCompare(rigs, Mode::Prot32Paging, load, regs, 0, 100, "#PF read");
  DiffRig jit(true, Mode::Prot32Paging, code);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.stats().exceptions == 1);
  CHECK(jit.cpu.state.cr2 == 0x2F010);
  CHECK(jit.cpu.state.gpr[RBX] == 1);  // the INC after the fault never ran
  CHECK(jit.cpu.state.gpr[RCX] == 10);  // the ADD before it did
  // The #PF frame (EIP, CS, EFLAGS, error code) is on the stack: EIP is the MOV's.
  uint32_t frame[4];
  std::memcpy(frame, jit.mem.ramHost() + DiffRig::kData + (jit.cpu.state.gpr[RSP] & 0xFFFF), sizeof frame);
  CHECK(frame[0] == 2);                    // error code: write, not present, supervisor
  CHECK(frame[1] == DiffRig::kCode + 4);   // EIP of the MOV
}

TEST_CASE("jit chaining: budgets stay exact at every point of chained loops") {
  // mov cx, 40 ; l1: add ax, cx ; inc bx ; loop l1 ; mov cx, 30 ; l2: add dx, [bx] ; dec cx ; jnz l2 ; hlt
  std::vector<uint8_t> code = {0xB9, 0x28, 0x00, 0x01, 0xC8, 0x43, 0xE2, 0xFB, 0xB9, 0x1E,
                               0x00, 0x03, 0x17, 0x49, 0x75, 0xFB, 0xF4};
  uint64_t regs[8] = {0, 0, 0, 0x100, 0x8000, 0, 0, 0};
  RigPair rigs;
  for (uint64_t budget = 1; budget < 260; ++budget)
    runAndCompare(rigs, Mode::Real16, code, regs, 0, budget, "budget " + std::to_string(budget));
  DiffRig jit(true, Mode::Real16, code);
  jit.cpu.run(1000);
  CHECK(jit.jit->stats().links >= 2);
  CHECK(jit.jit->stats().blocks_run < 20);  // the loops ran chained, not one return per iteration
}

TEST_CASE("jit strings: REP STOS/MOVS chunks, page crossings, overlap, direction and faults") {
  RigPair rigs;
  // cld/std ; rep stosb|stosw|movsb|movsd ; hlt - counts beyond one chunk
  // (4096 iterations) and across pages, DI/SI near the segment end (16-bit
  // wrap goes to the interpreter), overlapping MOVS.
  const uint8_t kOps[] = {0xAA, 0xAB, 0xA4, 0xA5};
  const uint64_t kCounts[] = {0, 1, 7, 4095, 4096, 4097, 9000};
  const uint64_t kDi[] = {0x0, 0x1000, 0x0FFF, 0x8001, 0xF000};
  for (Mode mode : {Mode::Real16, Mode::Prot32Paging})
    for (uint8_t op : kOps)
      for (uint64_t count : kCounts)
        for (uint64_t di : kDi)
          for (bool down : {false, true}) {
            std::vector<uint8_t> code = {static_cast<uint8_t>(down ? 0xFD : 0xFC), 0xF3, op, 0xF4};
            uint64_t regs[8] = {0x12345678, count, 0, 0, 0x8000, 0, di + 1, di};  // SI = DI + 1: overlap
            const std::string what = "op " + std::to_string(op) + " count " + std::to_string(count) + " di " +
                                     std::to_string(di) + (down ? " std" : " cld");
            runAndCompare(rigs, mode, code, regs, 0, 100, what);
            // Budgets cut between chunks.
            runAndCompare(rigs, mode, code, regs, 0, 2, what + " budget 2");
          }
  // A store into the translated block itself, through the native REP.
  std::vector<uint8_t> smc = {0xFC, 0xF3, 0xAA, 0x90, 0x90, 0x90, 0xF4};
  uint64_t regs[8] = {0xF4, 2, 0, 0, 0x8000, 0, 0, 3};  // AL = HLT over the NOPs at CS:3
  DiffRig ref(false, Mode::Real16, smc);
  DiffRig jit(true, Mode::Real16, smc);
  for (DiffRig* r : {&ref, &jit}) {
    for (unsigned i = 0; i < 8; ++i) r->cpu.state.gpr[i] = regs[i];
    r->cpu.state.seg[ES] = r->cpu.state.seg[CS];  // ES = CS: the stores hit the code
    CHECK(r->cpu.run(100) == Cpu::Exit::Halted);
  }
  CHECK(jit.cpu.state.rip == ref.cpu.state.rip);
  CHECK(jit.cpu.stats().retired == ref.cpu.stats().retired);
  CHECK(ref.cpu.state.rip == 4);  // halted at the first patched byte
}

TEST_CASE("jit strings: REP chunks spanning pages run natively piece by piece, and fall back whole") {
  // A chunk of 4096 elements spans several pages on each side. Aligned
  // starts run natively a page piece at a time; unaligned starts whose
  // elements straddle pages, not-present pages inside the chunk (#PF at
  // the exact element: 0x2F000 with paging), overlap in both directions
  // and offsets that would wrap go to the interpreter or agree with it.
  // With paging, offsets from 0x10000 lie in pages swapped in pairs.
  RigPair rigs;
  struct Op {
    std::vector<uint8_t> bytes;
    bool long_only;
  };
  const Op kOps[] = {{{0xA4}, false}, {{0xA5}, false}, {{0x66, 0xA5}, false}, {{0xAB}, false},
                     {{0x66, 0xAA}, false}, {{0x48, 0xA5}, true}, {{0x48, 0xAB}, true}};
  const uint64_t kCounts[] = {4096, 6000};
  const std::pair<uint64_t, uint64_t> kDiSi[] = {{0x1000, 0x8000}, {0x1004, 0x5FF8}, {0x3001, 0x6000},
                                                 {0xC000, 0x1000}, {0x2000, 0xE000}, {0x2004, 0x2000},
                                                 {0x2000, 0x2004}, {0x7FFC, 0x3FFC}, {0x11000, 0x15FFC},
                                                 {0x14000, 0x10804}};
  for (Mode mode : {Mode::Real16, Mode::Prot32Paging, Mode::Long64})
    for (const Op& op : kOps) {
      if (op.long_only && mode != Mode::Long64) continue;
      for (uint64_t count : kCounts)
        for (auto [di, si] : kDiSi)
          for (bool down : {false, true}) {
            // cld/std ; push rsi ; push rdi ; push rcx ; rep op ; pop rcx ;
            // pop rdi ; pop rsi ; rep op ; hlt - the second REP finds the
            // TLB filled by the first (the interpreter's, after a miss).
            std::vector<uint8_t> code = {static_cast<uint8_t>(down ? 0xFD : 0xFC), 0x56, 0x57, 0x51, 0xF3};
            code.insert(code.end(), op.bytes.begin(), op.bytes.end());
            code.insert(code.end(), {0x59, 0x5F, 0x5E, 0xF3});
            code.insert(code.end(), op.bytes.begin(), op.bytes.end());
            code.push_back(0xF4);
            // 64-bit mode ignores the data segment's base: absolute offsets.
            const uint64_t base = mode == Mode::Long64 ? DiffRig::kData : 0;
            const uint64_t sp = base + (mode == Mode::Real16 ? 0xFFF0 : 0x1FFF0);
            uint64_t regs[8] = {0x89ABCDEF, count, 0, 0, sp, 0, base + si, base + di};
            std::string what = "op";
            for (uint8_t b : op.bytes) what += " " + std::to_string(b);
            what += " count " + std::to_string(count) + " di " + std::to_string(di) + " si " + std::to_string(si) +
                    (down ? " std" : " cld");
            for (uint64_t budget : {100, 2, 7})
              runAndCompare(rigs, mode, code, regs, 0, budget, what + " budget " + std::to_string(budget), 0x1FFFF);
          }
    }
  // Once the TLB holds the pages, whole chunks run natively: the
  // interpreter would look the TLB up for every element. The same 16 KiB
  // copy twice: the first fills the TLB through the interpreter.
  //   l: mov esi, 0x10000 ; xor edi, edi ; mov ecx, 4096 ; rep movsd ; dec ebx ; jnz l ; hlt
  std::vector<uint8_t> code = {0xBE, 0x00, 0x00, 0x01, 0x00, 0x31, 0xFF, 0xB9, 0x00, 0x10, 0x00, 0x00,
                               0xF3, 0xA5, 0x4B, 0x75, 0xEF, 0xF4};
  uint64_t regs[8] = {0, 0, 0, 2, 0x8000, 0, 0, 0};  // clear of the page at 0x2F000
  DiffRig jit(true, Mode::Prot32Paging, code, 0x1FFFF);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  const uint64_t before = jit.cpu.tlb().stats().lookups;
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.gpr[RBX] == 0);
  CHECK(jit.cpu.state.rip == DiffRig::kCode + code.size());
  CHECK(jit.cpu.tlb().stats().lookups - before < 2 * 4096 + 100);  // the first chunk only
}

TEST_CASE("jit strings: two repeating REPs in one block each repeat at their own RIP") {
  // A block has one repeat exit. The first REP repeats twice, so the block
  // starting at it links its repeat exit to itself; the second REP of that
  // block must not leave through that link (it would resume at the first
  // REP with the second one's registers: Linux's numa_init, amd64).
  RigPair rigs;
  // rep stosb ; mov cx, 5000 ; rep stosb ; mov cx, 3 ; hlt
  std::vector<uint8_t> code16 = {0xF3, 0xAA, 0xB9, 0x88, 0x13, 0xF3, 0xAA, 0xB9, 0x03, 0x00, 0xF4};
  uint64_t regs16[8] = {0x5A, 10000, 0, 0, 0x8000, 0, 0, 0x10};
  for (uint64_t budget : {3, 5, 8, 100}) {
    runAndCompare(rigs, Mode::Real16, code16, regs16, 0, budget, "real mode, budget " + std::to_string(budget));
  }
  // The same in 64-bit mode with REP STOSD: rep stosd ; mov ecx, 5000 ; rep stosd ; mov ecx, 3 ; hlt
  std::vector<uint8_t> code64 = {0xF3, 0xAB, 0xB9, 0x88, 0x13, 0x00, 0x00, 0xF3, 0xAB, 0xB9, 0x03, 0x00, 0x00, 0x00, 0xF4};
  uint64_t regs64[8] = {0xA5A5A5A5, 10000, 0, 0, 0x8000, 0, 0, DiffRig::kData};
  for (uint64_t budget : {3, 5, 8, 100}) {
    CHECK(runAndCompare(rigs, Mode::Long64, code64, regs64, 0, budget, "64-bit, budget " + std::to_string(budget)) ==
          (budget == 100 ? Cpu::Exit::Halted : Cpu::Exit::Budget));
  }
  CHECK(rigs.jit.cpu.state.gpr[RCX] == 3);
  CHECK(rigs.jit.cpu.state.gpr[RDI] == DiffRig::kData + 4 * 15000);
}

TEST_CASE("jit chaining: a fault in a chained block, and code patched under a chained loop") {
  RigPair rigs;
  // 32-bit, paging: a loop strides through the data segment a page at a
  // time (chained to itself) until it stores into the page that is not
  // present (0x2F000): #PF with the state of that iteration.
  //   l: mov [ebx], eax ; add ebx, 0x1000 ; inc ecx ; jmp l
  std::vector<uint8_t> stride = {0x89, 0x03, 0x81, 0xC3, 0x00, 0x10, 0x00, 0x00, 0x41, 0xEB, 0xF5};
  uint64_t regs[8] = {0x55, 0, 0, 0x10, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Prot32Paging, stride, regs, 0, 1000, "stride into a not-present page");
  DiffRig jit(true, Mode::Prot32Paging, stride);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  CHECK(jit.cpu.run(1000) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.cr2 == 0x2F010);
  CHECK(jit.cpu.state.gpr[RCX] == 15);  // iterations that completed
  CHECK(jit.jit->stats().links >= 1);

  // Real mode: block A (inc ax ; jmp m) chains to block B (add bx, 1 ;
  // patch B's immediate ; loop l) - B's store drops both (same page), and
  // the next iteration must run the patched code.
  //   0: mov cx, 5 ; 3: inc ax ; 4: jmp 6 ; 6: add bx, 1 ; 9: mov byte [cs:8], 2 ; 15: loop 3 ; 17: hlt
  std::vector<uint8_t> patch = {0xB9, 0x05, 0x00, 0x40, 0xEB, 0x00, 0x83, 0xC3, 0x01,
                                0x2E, 0xC6, 0x06, 0x08, 0x00, 0x02, 0xE2, 0xF2, 0xF4};
  uint64_t r2[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Real16, patch, r2, 0, 1000, "patched under a chain");
  CHECK(rigs.jit.cpu.state.gpr[RBX] == 1 + 2 * 4);
}

TEST_CASE("jit dispatch: CALL into another page, RET and CALL r/m stay in translated code, patched callee seen") {
  // main (page 0x10000) calls func (page 0x11000) 50 times, patching func's
  // immediate through a flat ES before each call, then calls it through ESI.
  std::vector<uint8_t> code = {
      0x6A, 0x18,                                // push 0x18
      0x07,                                      // pop es (flat data)
      0xB9, 0x32, 0x00, 0x00, 0x00,              // mov ecx, 50
      0x26, 0x88, 0x0D, 0x02, 0x10, 0x01, 0x00,  // loop: mov es:[0x11002], cl
      0xE8, 0xEC, 0x0F, 0x00, 0x00,              // call 0x11000
      0x49,                                      // dec ecx
      0x75, 0xF1,                                // jnz loop
      0xBE, 0x00, 0x10, 0x01, 0x00,              // mov esi, 0x11000
      0xFF, 0xD6,                                // call esi
      0xF4};                                     // hlt
  code.resize(0x1000, 0x90);
  for (uint8_t b : {0x83, 0xC0, 0x05, 0xC3}) code.push_back(b);  // func: add eax, imm8 ; ret
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Prot32Paging}) {
    uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
    CHECK(runAndCompare(rigs, mode, code, regs, 0, 100000, "dispatch") == Cpu::Exit::Halted);
    CHECK(rigs.jit.cpu.state.gpr[RAX] == 50 * 51 / 2 + 1);  // each patched count, then 1 again (the last patch) through ESI
    CHECK(rigs.jit.jit->stats().dispatches > 0);
  }
  // Without SMC, a hot loop through RET dispatches without misses, and
  // without calls once the front cache holds both blocks.
  std::vector<uint8_t> loop = {0xB9, 0xE8, 0x03, 0x00, 0x00,  // mov ecx, 1000
                               0xE8, 0xF6, 0x0F, 0x00, 0x00,  // loop: call 0x11000
                               0x49, 0x75, 0xF8, 0xF4};       // dec ecx ; jnz loop ; hlt
  loop.resize(0x1000, 0x90);
  for (uint8_t b : {0x83, 0xC0, 0x02, 0xC3}) loop.push_back(b);
  uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  const JitStats before = rigs.jit.jit->stats();  // (the Jit outlives resets: count this run's share)
  CHECK(runAndCompare(rigs, Mode::Prot32Paging, loop, regs, 0, 100000, "dispatch loop") == Cpu::Exit::Halted);
  const JitStats& s = rigs.jit.jit->stats();
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 2000);
  CHECK(s.dispatch_links > before.dispatch_links);
  // Every CALL into the other page and every RET back found its block in
  // the front cache inline: the dispatch call is left for the first ones.
  CHECK(s.dispatches - before.dispatches <= 4);
  CHECK(s.dispatch_misses == before.dispatch_misses);
  CHECK(s.blocks_run - before.blocks_run < 20);  // ... without going back to Cpu::run
}

TEST_CASE("jit RET: native near RET and RET imm16 in 16/32/64-bit code, precise #PF on the stack read") {
  RigPair rigs;
  // push junk ; push target ; ret 2/4 (releases the junk) -> target: inc eax ; hlt
  auto program = [](bool wide) {
    std::vector<uint8_t> c = {0x6A, 0x55, 0x68, 0x10, 0x00};
    if (wide) c.insert(c.end(), {0x01, 0x00});  // push 0x10010 (32-bit: flat EIP) / 0x0010
    c.insert(c.end(), {0xC2, static_cast<uint8_t>(wide ? 4 : 2), 0x00});
    c.resize(0x10, 0x90);
    c.insert(c.end(), {0x40, 0xF4});
    return c;
  };
  uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Real16, program(false), regs, 0, 100, "ret imm16 (16-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  runAndCompare(rigs, Mode::Prot32, program(true), regs, 0, 100, "ret imm16 (32-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  runAndCompare(rigs, Mode::Prot32Paging, program(true), regs, 0, 100, "ret imm16 (32-bit, paging)");
  // 64-bit: push imm32 sign-extends; RET 8 bytes.
  std::vector<uint8_t> l64 = {0x6A, 0x55, 0x68, 0x10, 0x00, 0x01, 0x00, 0xC2, 0x08, 0x00};
  l64.resize(0x10, 0x90);
  l64.insert(l64.end(), {0xFF, 0xC0, 0xF4});
  runAndCompare(rigs, Mode::Long64, l64, regs, 0, 100, "ret imm16 (64-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  // The stack page is not present: RET faults with ESP and EIP unchanged.
  uint64_t fault_regs[8] = {0, 0, 0, 0, 0xF000, 0, 0, 0};
  CHECK(runAndCompare(rigs, Mode::Prot32Paging, {0x90, 0xC3, 0xF4}, fault_regs, 0, 100, "ret #PF") != Cpu::Exit::Budget);
  CHECK(rigs.jit.cpu.state.cr2 == 0x2F000);
}

TEST_CASE("jit chaining: exits whose target alternates between two mode keys, across a page") {
  // With ES and SS flat, DS alternates between the flat selector (0x18)
  // and the one based at kData (0x10), so the mode key's flat-data bit
  // flips. The MOV DS ends its page: its block's fall-through exit goes to
  // the next page, where the load is translated once for each key, and
  // each must run only under its own key (a flat block adds no DS base).
  RigPair rigs;
  std::vector<uint8_t> code = {
      0xB8, 0x18, 0x00, 0x00, 0x00,  // mov eax, 0x18
      0x8E, 0xC0,                    // mov es, ax
      0x8E, 0xD0,                    // mov ss, ax
      0xB9, 0x08, 0x00, 0x00, 0x00,  // mov ecx, 8
      0xBB, 0x18, 0x00, 0x00, 0x00,  // mov ebx, 0x18
      0xBA, 0x10, 0x00, 0x00, 0x00,  // mov edx, 0x10
  };
  const uint32_t jmp_next = static_cast<uint32_t>(code.size() + 5);
  const uint32_t rel = 0xFFE - jmp_next;  // jmp to the page's last two bytes
  code.insert(code.end(), {0xE9, static_cast<uint8_t>(rel), static_cast<uint8_t>(rel >> 8), 0, 0});
  code.resize(0xFFE, 0x90);
  code.insert(code.end(), {
      0x8E, 0xDB,                    // FFE: mov ds, bx
      0xA1, 0x00, 0x01, 0x00, 0x00,  // 1000: mov eax, [0x100]
      0x01, 0xC6,                    // add esi, eax
      0x87, 0xD3,                    // xchg ebx, edx
      0xE2, 0xF3,                    // loop FFE
      0xF4,                          // hlt
  });
  const uint64_t regs[8] = {};
  CHECK(runAndCompare(rigs, Mode::Prot32, code, regs, 0, 200, "alternating DS") == Cpu::Exit::Halted);
  CHECK(rigs.jit.jit->stats().blocks_run > 0);
}

TEST_CASE("jit return stack: recursion deeper than the stack, a callee that changes its return address") {
  // 50 times: rec(20) recursing 20 deep (the return stack holds 16), then
  // skip(), which adds 2 to its return address (the predicted RIP is
  // wrong: the RET must take the lookup and land after INC EDI).
  std::vector<uint8_t> code = {
      0xBB, 0x32, 0x00, 0x00, 0x00,  // mov ebx, 50
      0xB9, 0x14, 0x00, 0x00, 0x00,  // loop: mov ecx, 20
      0xE8, 0x31, 0x00, 0x00, 0x00,  // call rec (0x40)
      0x89, 0xC6,                    // mov esi, eax
      0xE8, 0x4A, 0x00, 0x00, 0x00,  // call skip (0x60)
      0xFF, 0xC7,                    // inc edi (skipped)
      0xFF, 0xC2,                    // inc edx
      0xFF, 0xCB,                    // dec ebx
      0x75, 0xE7,                    // jnz loop
      0xF4};                         // hlt
  code.resize(0x40, 0x90);
  code.insert(code.end(), {0xFF, 0xC9,                    // rec: dec ecx
                           0x74, 0x09,                    // jz base
                           0xE8, 0xF7, 0xFF, 0xFF, 0xFF,  // call rec
                           0xFF, 0xC0,                    // inc eax
                           0xC3,                          // ret
                           0x90,                          //
                           0x83, 0xC0, 0x64,              // base: add eax, 100
                           0xC3});                        // ret
  code.resize(0x60, 0x90);
  code.insert(code.end(), {0x83, 0x04, 0x24, 0x02, 0xC3});  // skip: add dword [esp], 2 ; ret
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Prot32Paging, Mode::Long64}) {
    uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
    CHECK(runAndCompare(rigs, mode, code, regs, 0, 100000, "return stack") == Cpu::Exit::Halted);
    CHECK(rigs.jit.cpu.state.gpr[RAX] == 50 * 119);
    CHECK(rigs.jit.cpu.state.gpr[RDX] == 50);
    CHECK(rigs.jit.cpu.state.gpr[RDI] == 0);
  }
}

TEST_CASE("jit CS limit: branch, CALL and RET targets beyond a CS limit below 4 GiB fault; a 4 GiB limit skips the checks") {
  // Code at 0x10000; CS limit 0x10FFF or 4 GiB (the mode key's flat-code
  // bit). Targets at 0x12000 (NOPs, then HLT): beyond the small limit
  // every transfer raises #GP (the handler at 0x500 halts) with the state
  // at its start; under the 4 GiB limit they arrive.
  const std::vector<std::vector<uint8_t>> kTransfers = {
      {0xE9, 0xFB, 0x1F, 0x00, 0x00},              // jmp 0x12000
      {0x39, 0xC0, 0x0F, 0x84, 0xF8, 0x1F, 0x00, 0x00},  // cmp eax, eax ; jz 0x12000
      {0xE8, 0xFB, 0x1F, 0x00, 0x00},              // call 0x12000
      {0x68, 0x00, 0x20, 0x01, 0x00, 0xC3},        // push 0x12000 ; ret
      {0xB9, 0x02, 0x00, 0x00, 0x00, 0xE2, 0xFE},  // mov ecx, 2 ; l: loop l (taken: within the limit)
  };
  RigPair rigs;
  for (size_t t = 0; t < kTransfers.size(); ++t) {
    std::vector<uint8_t> code = kTransfers[t];
    code.push_back(0xF4);
    code.resize(0x2000, 0x90);
    code.insert(code.end(), {0x90, 0x90, 0x40, 0xF4});  // 0x12000: nop ; nop ; inc eax ; hlt
    for (uint32_t limit : {0x10FFFu, 0xFFFFFFFFu}) {
      uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
      const uint64_t ex_before = rigs.jit.cpu.stats().exceptions;
      CHECK(runAndCompare(rigs, Mode::Prot32, code, regs, 0, 1000, "transfer " + std::to_string(t), 0xFFFF, limit) ==
            Cpu::Exit::Halted);
      if (t < 4) CHECK((rigs.jit.cpu.stats().exceptions > ex_before) == (limit != 0xFFFFFFFFu));
    }
  }
}
