// Interpreter vs JIT speed on one guest ROM: runs it once per accelerator
// (debug console to /dev/null, isa-debug-exit to end) and prints retired
// instructions per second and the ratio. Prints, never asserts.
//   bench_jit_speed ROM [more softvisor-style flags are not parsed]
#include <chrono>
#include <cstdio>
#include <exception>

#include "vmm/machine.h"

using namespace sv;

namespace {
struct Result {
  uint64_t retired = 0;
  double seconds = 0;
  int status = 0;
};

Result runOnce(const char* rom, Accel accel) {
  MachineConfig c;
  c.bios_path = rom;
  c.debug_consoles.push_back({0xE9, CharSink{CharSink::Kind::Null, ""}});
  c.debug_exit = DebugExitConfig{};
  c.accel = accel;
  Machine m(c);
  auto t0 = std::chrono::steady_clock::now();
  Result r;
  r.status = m.run();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.retired = m.cpu().stats().retired;
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s ROM\n", argv[0]);
    return 2;
  }
  try {
    Result interp = runOnce(argv[1], Accel::Interp);
    Result jit = runOnce(argv[1], Accel::Jit);
    auto mips = [](const Result& r) { return r.retired / r.seconds / 1e6; };
    std::printf("interp: %llu insns in %.3f s = %.1f M insns/s (exit %d)\n",
                static_cast<unsigned long long>(interp.retired), interp.seconds, mips(interp), interp.status);
    std::printf("jit:    %llu insns in %.3f s = %.1f M insns/s (exit %d)\n",
                static_cast<unsigned long long>(jit.retired), jit.seconds, mips(jit), jit.status);
    std::printf("jit/interp: %.2fx\n", mips(jit) / mips(interp));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
