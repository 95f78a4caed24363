// A device on a PS/2 port (keyboard or mouse) as the i8042 controller sees
// it: bytes from the host, bytes queued for the host, and a notification
// when new bytes are queued.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

namespace sv {

class Ps2Device {
 public:
  virtual ~Ps2Device() = default;
  // A byte from the controller (a command or its argument).
  virtual void receiveFromHost(uint8_t byte) = 0;
  virtual void reset() = 0;

  bool hasOutput() const { return !out_.empty(); }
  uint8_t takeOutput() {
    const uint8_t b = out_.front();
    out_.pop_front();
    outputTaken();
    return b;
  }
  // The controller's callback: bytes became available.
  void setOutputReady(std::function<void()> ready) { ready_ = std::move(ready); }

 protected:
  // The device's own buffer (a real keyboard holds 16 keys); beyond it
  // input events are dropped, command responses never are.
  static constexpr size_t kQueueLimit = 64;
  void send(uint8_t byte) {
    out_.push_back(byte);
    if (ready_) ready_();
  }
  bool queueFull() const { return out_.size() >= kQueueLimit; }
  size_t queued() const { return out_.size(); }
  void clearOutput() { out_.clear(); }
  virtual void outputTaken() {}

 private:
  std::deque<uint8_t> out_;
  std::function<void()> ready_;
};

}  // namespace sv
