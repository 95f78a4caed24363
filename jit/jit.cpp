#include "jit/jit.h"

#include <algorithm>

#include "cpu/cpu.h"
#include "jit/block_dump.h"
#include "memory/code_page_map.h"

namespace sv {

Jit::Jit(Cpu& cpu, CodePageMap& code, JitOptions opt)
    : cpu_(cpu), code_map_(code), opt_(opt), rt_(std::make_unique<asmjit::JitRuntime>()) {
  cpu_.setBlockExecutor(this);
  cpu_.setCodeWriteListener(this);
  translator_.setDispatch(
      DispatchTarget{reinterpret_cast<const void*>(&Jit::dispatchFromCode), this, cache_.frontTable(), &ras_});
  translator_.setMaxBlockInsns(opt_.max_block_insns);
}

Jit::~Jit() {
  cpu_.setBlockExecutor(nullptr);
  cpu_.setCodeWriteListener(nullptr);
}

void Jit::runBlock(Cpu& cpu, uint64_t budget) {
  // A safe point: no block is running, so retired code can go.
  releaseRetired();
  if (code_bytes_ > opt_.code_limit) flush();
  Block* b = perInstruction(cpu) ? nullptr : blockAt(cpu);
  if (!b || (b->count > budget && opt_.exact_budget)) {
    ++stats_.steps;
    cpu.step();
    return;
  }
  ++stats_.blocks_run;
  cpu.clearBlockExit();
  ras_.clear();  // a new run of chained code (return_stack.h)
  // The code may run on through chained blocks while the budget allows;
  // the counter it advances is the one Cpu::run measures the budget by.
  const ChainExit* e =
      b->fn(&cpu.state, cpu.stats().retired + std::max<uint64_t>(budget, b->count));
  if (e) link(cpu, *const_cast<ChainExit*>(e));
}

bool Jit::perInstruction(Cpu& cpu) {
  // Single-step traps, interrupt shadows, RF, alignment checks and DR0-DR3
  // breakpoints are decided per instruction by the interpreter; a block
  // would run past the point where they matter. Alignment checking (CR0.AM
  // + EFLAGS.AC at CPL 3) also goes one at a time: native memory accesses
  // do not test it.
  const bool alignment_check = (cpu.state.rflags & flag::AC) && (cpu.state.cr0 & cr0::AM) && cpu.cpl() == 3;
  return (cpu.state.rflags & (flag::TF | flag::RF)) || cpu.state.interrupt_shadow || cpu.breakpointsArmed() ||
         alignment_check;
}

uint64_t Jit::dispatchFromCode(Jit* jit) {
  // Called from translated code with the state exact and the exit flag
  // clear, between two instructions, as Cpu::run would call runBlock
  // (never raises: blockAt only probes). Blocks retired meanwhile are
  // freed at the next runBlock, not here: the caller's code is one of them
  // perhaps.
  Cpu& cpu = jit->cpu_;
  ++jit->stats_.dispatches;
  Block* b = perInstruction(cpu) ? nullptr : jit->blockAt(cpu);
  if (!b) {
    ++jit->stats_.dispatch_misses;
    return 0;
  }
  return b->chain_entry;
}

void Jit::link(Cpu& cpu, ChainExit& e) {
  // The exit wrote RIP and the counter and found the exit flag clear: the
  // state is exact and nothing changed the mode or the address space since
  // its block was entered.
  Block* from = e.owner;
  if (!from || !from->live || (cpu.state.rflags & flag::TF)) return;
  Block* to = blockAt(cpu);
  if (!to || !to->live) return;
  // Only within one linear page: the owner was entered through the
  // physical check of its first byte, and no mapping changes without the
  // exit flag, so a target in the same linear page is the same physical
  // page whenever the owner runs. A jump to another page needs that
  // check and goes back through blockAt. Same mode key and CS base: the
  // target was translated for what the owner runs in.
  // Another mode (the owner's last instruction changed AC, a data segment
  // ...): the dispatch stub's inline lookup would search with the owner's
  // mode key, so such an exit stays unlinked and returns to runBlock.
  if (to->mode_key != from->mode_key) return;
  if ((to->linear >> 12) != (from->linear >> 12) || to->cs_base != from->cs_base) {
    // Another page (or CS base): no fixed link can be valid, but the
    // dispatch stub looks the target up with the physical check (and the
    // CS base) every time.
    if (e.dispatch) {
      e.slot = e.dispatch;
      ++stats_.dispatch_links;
    }
    return;
  }
  linkChain(e, *to);
  ++stats_.links;
}

Block* Jit::blockAt(Cpu& cpu) {
  const SegmentCache& cs = cpu.state.seg[CS];
  const uint64_t rip = cpu.state.rip;
  const bool long64 = cpu.mode() == CpuMode::Long64;
  // Beyond the CS limit: the interpreter raises #GP.
  if (!long64 && rip > cs.limit) return nullptr;
  if (long64 && !isCanonical(rip)) return nullptr;  // the interpreter's fetch raises #GP(0)
  uint64_t linear = cs.base + rip;
  if (cpu.mode() != CpuMode::Long64 && cpu.mode() != CpuMode::Compat) linear &= 0xFFFFFFFFull;
  const uint64_t key = blockModeKey(cpu);

  // Physical check: the host pointer of the first byte names the physical
  // page, whatever the linear mapping is now.
  Translation t;
  bool translated = false;
  const uint8_t* host = cpu.codeHostFast(linear);
  if (!host) {
    // A fault (or MMIO code): the interpreter fetches and raises.
    if (!cpu.probeCode(linear, t) || !t.host) return nullptr;
    host = t.host;
    translated = true;
  }
  auto fits = [&](const Block* b) { return long64 || b->last_rip <= cs.limit; };
  Block* b = cache_.front(linear, key);
  if (b && b->host == host && b->cs_base == cs.base && b->rip == rip) return fits(b) ? b : nullptr;

  if (!translated && !cpu.probeCode(linear, t)) return nullptr;
  b = cache_.find(t.paddr, key, cs.base, rip);
  if (!b) {
    std::unique_ptr<Block> nb = translator_.translate(cpu, linear, t.paddr, host, *rt_);
    if (!nb) return nullptr;
    // From now on stores to the page take the slow path and reach
    // codePageWritten. Pages outside RAM are ROM here (MMIO has no host
    // pointer): read-only, so their blocks never go stale.
    nb->tracked = code_map_.set(t.paddr, nb->last_rip - nb->rip + 1);
    ++stats_.translations;
    code_bytes_ += nb->code_size;
    if (opt_.dump) dumpBlock(opt_.dump, *nb, cpu.codeMode(), host, opt_.dump_host);
    b = cache_.insert(std::move(nb));
  }
  cache_.setFront(b);
  return fits(b) ? b : nullptr;
}

void Jit::codeWritten(uint64_t paddr, uint64_t len) {
  const uint64_t mask = CodePageMap::granuleMask(paddr, len);
  if (!code_map_.holdsCode(paddr, len)) {
    ++stats_.data_writes;  // data beside code: the blocks stay
    return;
  }
  uint64_t remaining = 0;
  stats_.invalidated += cache_.invalidateGranules(paddr, mask, remaining);
  code_map_.setGranules(paddr, remaining);
  // The running block may be one of them (code modifying its own block):
  // it stops after the current instruction.
  cpu_.requestBlockExit();
}

void Jit::codePageWritten(uint64_t paddr) {
  stats_.invalidated += cache_.invalidatePage(paddr);
  code_map_.clear(paddr);
  // The running block may be one of them (code modifying its own block):
  // it stops after the current instruction.
  cpu_.requestBlockExit();
}

void Jit::releaseRetired() {
  if (!cache_.hasRetired()) return;  // the common case, once per block entry
  for (const std::unique_ptr<Block>& b : cache_.takeRetired()) {
    rt_->release(b->fn);
    code_bytes_ -= b->code_size;
  }
}

void Jit::flush() {
  ++stats_.flushes;
  cache_.clear();
  (void)cache_.takeRetired();  // their code goes with the runtime
  translator_.dropSharedCode();
  rt_ = std::make_unique<asmjit::JitRuntime>();
  code_bytes_ = 0;
}

}  // namespace sv
