#include "vmm/serial_input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace sv {

SerialInput::SerialInput(int fd) : fd_(fd) {
  if (pipe(stop_pipe_) != 0) throw std::runtime_error("cannot create the serial input's wake pipe");
  reader_ = std::thread([this] { readerLoop(); });
}

SerialInput::~SerialInput() {
  const char stop = 1;
  (void)!write(stop_pipe_[1], &stop, 1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    drained_.notify_all();
  }
  reader_.join();
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

bool SerialInput::pop(uint8_t& byte) {
  const size_t head = head_.load(std::memory_order_relaxed);
  const size_t tail = tail_.load(std::memory_order_acquire);
  if (head == tail) return false;
  byte = ring_[head % kRingSize];
  head_.store(head + 1, std::memory_order_release);
  if (tail - head == kRingSize) {
    std::lock_guard<std::mutex> lock(mutex_);  // the ring was full: the reader may be waiting
    drained_.notify_one();
  }
  return true;
}

void SerialInput::waitForInput(uint64_t timeout_ns) {
  std::unique_lock<std::mutex> lock(mutex_);
  arrived_.wait_for(lock, std::chrono::nanoseconds(timeout_ns),
                    [this] { return !empty() || eof_.load(std::memory_order_acquire); });
}

void SerialInput::readerLoop() {
  uint8_t buf[256];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) return;  // the Machine is going away
    // Never read more than the ring can hold: the rest waits in the host's
    // buffer (the terminal, the pipe).
    size_t room;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      drained_.wait(lock, [&] {
        room = kRingSize - (tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_acquire));
        return room > 0 || poll(&fds[1], 1, 0) > 0;
      });
    }
    if (room == 0) return;
    const ssize_t n = read(fd_, buf, std::min(room, sizeof buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    size_t tail = tail_.load(std::memory_order_relaxed);
    for (ssize_t i = 0; i < n; ++i) ring_[tail++ % kRingSize] = buf[i];
    tail_.store(tail, std::memory_order_release);
    std::lock_guard<std::mutex> lock(mutex_);
    arrived_.notify_all();
  }
  eof_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(mutex_);
  arrived_.notify_all();
}

}  // namespace sv
