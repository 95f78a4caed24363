// One counter of the Intel 8254 programmable interval timer, as a pure
// function of time: nothing ticks. Time is counted in input clocks
// ("ticks") on one grid: tick k is the k-th rising CLK edge of the PIT's
// 1.193182 MHz input. An action "at tick T" happens after edge T and
// before edge T+1, so a count written at T is loaded by edge T+1
// (8254 datasheet: "the count is loaded on the next CLK pulse").
//
// Reference: Intel 82C54 datasheet (order 231244), "Mode definitions",
// "Read operations", "Read-back command", "Status byte" and Table 3 (gate).
#pragma once

#include <cstdint>

namespace sv {

class PitCounter {
 public:
  static constexpr int64_t kNever = -1;

  // Power-on state. The datasheet leaves mode, count and OUT undefined
  // until programmed; we choose mode 3, LSB-then-MSB, binary, OUT high and
  // no count, so nothing counts (and no IRQ0 fires) before firmware writes
  // one. The gate is given because counter 2's is not tied high.
  void reset(int64_t tick, bool gate);

  void writeControl(uint8_t control_word, int64_t tick);  // RW != 00
  void latchCount(int64_t tick);
  void latchStatus(int64_t tick);
  void writeCount(uint8_t byte, int64_t tick);
  uint8_t read(int64_t tick);
  void setGate(bool level, int64_t tick);

  bool gate() const { return gate_; }
  bool out(int64_t tick) const { return eval(tick).out; }
  uint8_t status(int64_t tick) const;
  // The counting element as the read port would show it (BCD or binary).
  uint16_t countRegister(int64_t tick) const;
  // First tick > after at which OUT changes, or kNever while nothing runs.
  int64_t nextOutChange(int64_t after) const;
  // Length of one period in ticks (modes 2 and 3), or 0.
  uint32_t periodTicks() const;

 private:
  struct State {
    uint32_t ce;  // position in the count sequence (65536 / 10000 for 0)
    bool out;
    bool null_count;
  };
  // A stretch of counting from `load` on with a fixed initial count n.
  struct Run {
    uint32_t n = 0;
    int64_t load = 0;
    bool start_low = false;  // mode 3 run begun in its low half
    uint32_t before_ce = 0;  // shown until the load edge
    bool before_out = false;
  };

  State eval(int64_t tick) const;
  State evalRun(const Run& r, int64_t tick) const;
  int64_t nextChangeIn(const Run& r, int64_t after) const;
  void settle(int64_t tick);  // makes a due pending reload current
  void loadCount(uint32_t raw, int64_t tick);
  void startRun(uint32_t n, int64_t tick);
  uint32_t decode(uint32_t raw) const;
  uint16_t encode(uint32_t ce) const;

  // Programming (control word).
  uint8_t mode_ = 3;      // 0-5 (6 and 7 act as 2 and 3)
  uint8_t mode_bits_ = 3; // M2-M0 as written, for the status byte
  uint8_t rw_ = 3;        // 1 LSB, 2 MSB, 3 LSB then MSB
  bool bcd_ = false;
  bool gate_ = true;

  // Count register and counting element.
  bool has_count_ = false;
  uint32_t cr_ = 0;
  bool running_ = false;
  Run run_;
  bool pending_ = false;  // modes 2/3: a new count waits for the period end
  Run pend_;
  int64_t null_until_ = 0;  // null count is 1 for ticks below this
  uint32_t idle_ce_ = 0;    // while not running: frozen CE and OUT
  bool idle_out_ = true;
  bool paused_ = false;     // modes 0/4 with GATE low: ticks already counted
  int64_t paused_e_ = 0;

  // Byte access state.
  bool write_msb_ = false;
  uint8_t write_lsb_ = 0;
  bool read_msb_ = false;
  bool count_latched_ = false;
  uint16_t latched_count_ = 0;
  bool status_latched_ = false;
  uint8_t latched_status_ = 0;
};

}  // namespace sv
