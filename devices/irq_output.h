// A device's interrupt output pin. The board connects it to an interrupt
// controller input with a callback that receives the line's level
// (true = asserted). Devices compute their level from register state and
// call set() freely; the callback only sees changes, so an edge-triggered
// controller input (the 8259 in ISA mode) sees exactly one rising edge per
// assertion. An unconnected output (no callback) is legal and does nothing.
#pragma once

#include <functional>
#include <utility>

namespace sv {

class IrqOutput {
 public:
  using Sink = std::function<void(bool level)>;

  IrqOutput() = default;
  explicit IrqOutput(Sink sink) : sink_(std::move(sink)) {}

  void set(bool level) {
    if (level == level_) return;
    level_ = level;
    if (sink_) sink_(level);
  }
  bool level() const { return level_; }

 private:
  Sink sink_;
  bool level_ = false;
};

}  // namespace sv
