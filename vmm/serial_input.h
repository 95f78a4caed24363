// Host input for a serial port: a reader thread takes bytes from a file
// descriptor (the terminal or a pipe on stdin) into a single-producer,
// single-consumer ring, so the vCPU thread never blocks on the host. The
// Machine drains the ring at its slice boundaries (where it also advances
// timers), and a halted guest waits on waitForInput() instead of sleeping
// blindly, so a typed byte wakes it at once.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace sv {

class SerialInput {
 public:
  // Starts reading `fd` (not owned; left open). Throws std::runtime_error
  // if the thread or its wake pipe cannot be created.
  explicit SerialInput(int fd);
  ~SerialInput();
  SerialInput(const SerialInput&) = delete;
  SerialInput& operator=(const SerialInput&) = delete;

  // Consumer side (the vCPU thread).
  bool pop(uint8_t& byte);
  bool empty() const { return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire); }
  // True once the source ended (EOF or error) and every byte was taken.
  bool finished() const { return eof_.load(std::memory_order_acquire) && empty(); }
  // Blocks up to timeout_ns or until a byte (or the end) arrives.
  void waitForInput(uint64_t timeout_ns);

 private:
  void readerLoop();

  static constexpr size_t kRingSize = 4096;
  std::array<uint8_t, kRingSize> ring_{};
  std::atomic<size_t> head_{0};  // next byte to take (consumer)
  std::atomic<size_t> tail_{0};  // next free slot (producer)
  std::atomic<bool> eof_{false};
  int fd_;
  int stop_pipe_[2] = {-1, -1};
  std::mutex mutex_;
  std::condition_variable arrived_;   // bytes or EOF for the consumer
  std::condition_variable drained_;   // room for the producer
  std::thread reader_;
};

}  // namespace sv
