// Runs oracle cases on the host CPU. Each batch runs in a forked child (a
// harness bug or a runaway case cannot hurt the run): the cases' code is
// built in a fixed code buffer below 4 GiB, and SIGFPE/SIGILL/SIGSEGV/
// SIGBUS record the case's fault and resume at the next case, so one child
// runs a whole batch.
#pragma once

#include <cstddef>
#include <string>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

class NativeRunner {
 public:
  // Maps the fixed regions; check ok() / error().
  NativeRunner();
  ~NativeRunner();
  NativeRunner(const NativeRunner&) = delete;
  NativeRunner& operator=(const NativeRunner&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Most cases one batch may hold.
  static size_t maxBatch();
  // Runs cases[0..n); false (with error()) if the child died.
  bool run(const Case* cases, size_t n, Outcome* out);

 private:
  void* data_ = nullptr;
  void* code_ = nullptr;
  std::string error_;
};

}  // namespace sv::oracle
