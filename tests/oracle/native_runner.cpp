#include "tests/oracle/native_runner.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tests/oracle/fxsave_image.h"
#include "tests/oracle/native_code_emitter.h"

namespace sv::oracle {

namespace {

constexpr size_t kMaxRecords = 1024;
constexpr size_t kDataBytes = kRecordsOffset + kMaxRecords * sizeof(CaseRecord);
constexpr size_t kCodeBytes = 1 << 20;
constexpr unsigned kChildSeconds = 30;

CaseRecord* records() { return reinterpret_cast<CaseRecord*>(kDataBase + kRecordsOffset); }

// The child's fault handler: everything it needs is at fixed addresses.
// A fault outside the cases' code is a harness bug: die of it.
void onCaseFault(int sig, siginfo_t*, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  const uint64_t rip = static_cast<uint64_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (rip < kCodeBase || rip >= kCodeBase + kCodeBytes) {
    signal(sig, SIG_DFL);
    return;
  }
  const uint32_t index = *reinterpret_cast<volatile uint32_t*>(kDataBase + kCurrentCase);
  CaseRecord& r = records()[index];
  r.fault = static_cast<uint32_t>(sig);
  uc->uc_mcontext.gregs[REG_RIP] = r.resume;
}

Fault faultOfSignal(uint32_t sig) {
  switch (sig) {
    case 0: return Fault::None;
    case SIGFPE: return Fault::Arithmetic;
    case SIGILL: return Fault::InvalidOpcode;
    case SIGSEGV: return Fault::Protection;
    case SIGBUS: return Fault::Bus;
    default: return Fault::Other;
  }
}

[[noreturn]] void childMain() {
  alarm(kChildSeconds);
  stack_t alt{};
  alt.ss_size = 1 << 16;
  alt.ss_sp = mmap(nullptr, alt.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (alt.ss_sp == MAP_FAILED || sigaltstack(&alt, nullptr) != 0) _exit(3);
  struct sigaction sa {};
  sa.sa_sigaction = onCaseFault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP})
    if (sigaction(sig, &sa, nullptr) != 0) _exit(4);
  reinterpret_cast<void (*)()>(kCodeBase)();
  _exit(0);
}

}  // namespace

NativeRunner::NativeRunner() {
  data_ = mmap(reinterpret_cast<void*>(kDataBase), kDataBytes, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  code_ = mmap(reinterpret_cast<void*>(kCodeBase), kCodeBytes, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (data_ != reinterpret_cast<void*>(kDataBase) || code_ != reinterpret_cast<void*>(kCodeBase)) {
    error_ = "cannot map the oracle's fixed regions at 0x1000000/0x2000000";
    return;
  }
}

NativeRunner::~NativeRunner() {
  if (data_ != MAP_FAILED && data_) munmap(data_, kDataBytes);
  if (code_ != MAP_FAILED && code_) munmap(code_, kCodeBytes);
}

size_t NativeRunner::maxBatch() { return kMaxRecords; }

bool NativeRunner::run(const Case* cases, size_t n, Outcome* out) {
  if (!ok() || n == 0) return ok();
  if (n > maxBatch()) {
    error_ = "batch too large";
    return false;
  }
  CaseRecord* rec = records();
  NativeCodeEmitter emitter;
  for (size_t i = 0; i < n; ++i) {
    CaseRecord& r = rec[i];
    std::memcpy(r.in_gpr, cases[i].gpr, sizeof r.in_gpr);
    std::memset(r.out_gpr, 0, sizeof r.out_gpr);
    r.in_flags = cases[i].flags;
    r.out_flags = 0;
    r.fault = 0;
    std::memcpy(r.in_mem, cases[i].mem, kWindowBytes);
    if (cases[i].fx_state) writeFxsaveImage(cases[i].fpu, r.in_fx);
    emitter.emitCase(static_cast<uint32_t>(i), reinterpret_cast<uint64_t>(&r), cases[i]);
    r.resume = static_cast<uint32_t>(emitter.here());
  }
  emitter.emitExit();
  if (emitter.code().size() > kCodeBytes) {
    error_ = "the batch's code does not fit the code buffer";
    return false;
  }
  std::memcpy(code_, emitter.code().data(), emitter.code().size());

  pid_t pid = fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) childMain();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error_ = WIFSIGNALED(status) ? "native child killed by signal " + std::to_string(WTERMSIG(status))
                                 : "native child exited with " + std::to_string(WEXITSTATUS(status));
    // The shared control block names the case that was running.
    const uint32_t index = *reinterpret_cast<volatile uint32_t*>(kDataBase + kCurrentCase);
    if (index < n) {
      error_ += " in case " + std::to_string(index) + ", bytes";
      char hex[4];
      for (unsigned i = 0; i < cases[index].host_length; ++i) {
        std::snprintf(hex, sizeof hex, " %02x", cases[index].host_bytes[i]);
        error_ += hex;
      }
    }
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    const CaseRecord& r = rec[i];
    out[i].fault = faultOfSignal(r.fault);
    std::memcpy(out[i].gpr, r.out_gpr, sizeof out[i].gpr);
    out[i].flags = static_cast<uint32_t>(r.out_flags);
    std::memcpy(out[i].mem, r.out_mem, kWindowBytes);
    if (cases[i].fx_state) out[i].fpu = readFxsaveImage(r.out_fx);
  }
  return true;
}

}  // namespace sv::oracle
