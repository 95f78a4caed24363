#include "devices/pit_counter.h"

#include <algorithm>
#include <limits>

namespace sv {

namespace {
constexpr int64_t kForever = std::numeric_limits<int64_t>::max();
}  // namespace

void PitCounter::reset(int64_t tick, bool gate) {
  *this = PitCounter{};
  gate_ = gate;
  writeControl(0x36, tick);  // mode 3, LSB then MSB, binary; no count yet
}

uint32_t PitCounter::decode(uint32_t raw) const {
  // A count of 0 is the largest: 2^16 in binary, 10^4 in BCD.
  if (!bcd_) return raw ? raw : 65536;
  const uint32_t d = ((raw >> 12) & 15) * 1000 + ((raw >> 8) & 15) * 100 + ((raw >> 4) & 15) * 10 + (raw & 15);
  return d % 10000 ? d % 10000 : 10000;
}

uint16_t PitCounter::encode(uint32_t ce) const {
  if (!bcd_) return static_cast<uint16_t>(ce & 0xFFFF);
  const uint32_t d = ce % 10000;
  return static_cast<uint16_t>((d / 1000) << 12 | (d / 100 % 10) << 8 | (d / 10 % 10) << 4 | (d % 10));
}

PitCounter::State PitCounter::evalRun(const Run& r, int64_t tick) const {
  const int64_t e = tick - r.load;  // clocks since the load edge
  if (e < 0) return {r.before_ce, r.before_out, true};
  const int64_t n = r.n;
  const int64_t modulus = bcd_ ? 10000 : 65536;
  switch (mode_) {
    case 0:  // interrupt on terminal count: OUT rises at 0, stays high
    case 1:  // one-shot: OUT low from the load until terminal count
      return {static_cast<uint32_t>(((n - e) % modulus + modulus) % modulus), e >= n, false};
    case 2: {  // rate generator: OUT low while the count is 1, reload at 0
      const int64_t p = e % n;
      return {static_cast<uint32_t>(n - p), p != n - 1, false};
    }
    case 3: {
      // Square wave. Even n: n/2 clocks high, n/2 low, CE steps n, n-2 ..
      // 2. Odd n: CE steps n-1, n-3 .. 0 for (n+1)/2 clocks high, then
      // n-1 .. 2 for (n-1)/2 clocks low (datasheet, mode 3 "odd counts").
      const int64_t high = (n + 1) / 2;
      const int64_t p = (e + (r.start_low ? high : 0)) % n;
      const int64_t j = p < high ? p : p - high;
      const int64_t ce = (n & 1) ? n - 1 - 2 * j : n - 2 * j;
      return {static_cast<uint32_t>(ce), p < high, false};
    }
    default:  // 4, 5: strobe: OUT low for one clock when the count reaches 0
      return {static_cast<uint32_t>(((n - e) % modulus + modulus) % modulus), e != n, false};
  }
}

PitCounter::State PitCounter::eval(int64_t tick) const {
  State s;
  if (pending_ && tick >= pend_.load) {
    s = evalRun(pend_, tick);
  } else if (running_) {
    s = evalRun(run_, tick);
  } else {
    s = {idle_ce_, idle_out_, false};
  }
  s.null_count = tick < null_until_;
  return s;
}

int64_t PitCounter::nextChangeIn(const Run& r, int64_t after) const {
  const int64_t n = r.n;
  if (after < r.load) {
    if (evalRun(r, r.load).out != r.before_out) return r.load;
    after = r.load;
  }
  const int64_t ea = after - r.load;  // find the first e > ea where OUT changes
  int64_t e = kNever;
  switch (mode_) {
    case 0:
    case 1:
      if (ea < n) e = n;
      break;
    case 2:
      if (n >= 2) e = (ea % n < n - 1) ? ea / n * n + n - 1 : (ea / n + 1) * n;
      break;
    case 3:
      if (n >= 2) {
        const int64_t high = (n + 1) / 2, s = r.start_low ? high : 0;
        const int64_t pa = ea + s;
        e = ((pa % n < high) ? pa / n * n + high : (pa / n + 1) * n) - s;
      }
      break;
    default:
      if (ea < n) e = n;
      else if (ea == n) e = n + 1;
      break;
  }
  return e == kNever ? kNever : r.load + e;
}

int64_t PitCounter::nextOutChange(int64_t after) const {
  if (!running_) return kNever;
  if (!pending_) return nextChangeIn(run_, after);
  if (after < pend_.load - 1) {
    const int64_t t = nextChangeIn(run_, after);
    if (t != kNever && t < pend_.load) return t;
  }
  Run next = pend_;
  next.before_out = evalRun(run_, pend_.load - 1).out;
  return nextChangeIn(next, std::max(after, pend_.load - 1));
}

uint32_t PitCounter::periodTicks() const {
  if (!running_ || (mode_ != 2 && mode_ != 3)) return 0;
  return std::max(run_.n, pending_ ? pend_.n : 0u);
}

void PitCounter::settle(int64_t tick) {
  if (pending_ && tick >= pend_.load) {
    run_ = pend_;
    pending_ = false;
  }
}

void PitCounter::startRun(uint32_t n, int64_t tick) {
  const State now = eval(tick);
  run_.n = n;
  run_.load = tick + 1;  // loaded by the next CLK edge
  run_.start_low = false;
  run_.before_ce = now.ce;
  run_.before_out = now.out;
  running_ = true;
  pending_ = false;
  paused_ = false;
  null_until_ = tick + 1;
}

void PitCounter::writeControl(uint8_t cw, int64_t tick) {
  settle(tick);
  const State now = eval(tick);
  mode_bits_ = (cw >> 1) & 7;
  mode_ = mode_bits_ > 5 ? mode_bits_ - 4 : mode_bits_;
  rw_ = (cw >> 4) & 3;
  bcd_ = cw & 1;
  // "When a control word is written to a counter, all its control logic
  // is immediately reset and OUT goes to a known initial state" (low in
  // mode 0, high otherwise); counting waits for a new count. A pending
  // latch is dropped with the old programming.
  running_ = pending_ = paused_ = false;
  has_count_ = false;
  idle_ce_ = now.ce;
  idle_out_ = mode_ != 0;
  null_until_ = kForever;
  write_msb_ = read_msb_ = false;
  count_latched_ = status_latched_ = false;
}

void PitCounter::writeCount(uint8_t byte, int64_t tick) {
  settle(tick);
  switch (rw_) {
    case 1: loadCount(byte, tick); return;
    case 2: loadCount(static_cast<uint32_t>(byte) << 8, tick); return;
    default:
      if (!write_msb_) {
        write_lsb_ = byte;
        write_msb_ = true;
        if (mode_ == 0) {
          // Mode 0: writing the first byte disables counting and sets OUT
          // low at once; the second byte loads the new count.
          const State now = eval(tick);
          running_ = pending_ = paused_ = false;
          idle_ce_ = now.ce;
          idle_out_ = false;
        }
        return;
      }
      write_msb_ = false;
      loadCount(write_lsb_ | static_cast<uint32_t>(byte) << 8, tick);
  }
}

void PitCounter::loadCount(uint32_t raw, int64_t tick) {
  cr_ = decode(raw);
  has_count_ = true;
  const State now = eval(tick);
  switch (mode_) {
    case 0:
    case 4:
      if (gate_) {
        startRun(cr_, tick);
        if (mode_ == 0) run_.before_out = false;  // OUT low until terminal count
      } else {
        // GATE low suspends counting; the count still reaches the CE.
        running_ = pending_ = false;
        paused_ = true;
        paused_e_ = 0;
        run_ = Run{};
        run_.n = cr_;
        idle_ce_ = cr_;
        idle_out_ = mode_ == 4;
        null_until_ = tick + 1;
      }
      return;
    case 1:
    case 5:
      // The count waits in CR for the next trigger (a rising GATE edge).
      null_until_ = kForever;
      return;
    default:  // 2, 3
      if (!gate_) {
        null_until_ = kForever;  // loaded on the rising GATE edge
        return;
      }
      if (running_ && tick >= run_.load) {
        // Counting: the current period (mode 2) or half-period (mode 3)
        // completes, then the new count is loaded (datasheet, modes 2/3).
        Run next;
        next.n = cr_;
        if (mode_ == 2) {
          next.load = run_.load + ((tick - run_.load) / run_.n + 1) * run_.n;
        } else {
          const int64_t t = nextChangeIn(run_, tick);
          next.load = t == kNever ? tick + 1 : t;
          next.start_low = evalRun(run_, next.load - 1).out;
        }
        pend_ = next;
        pending_ = true;
        null_until_ = next.load;
        return;
      }
      startRun(cr_, tick);
      run_.before_out = now.out;
  }
}

void PitCounter::setGate(bool level, int64_t tick) {
  settle(tick);
  if (level == gate_) return;
  gate_ = level;
  const State now = eval(tick);
  switch (mode_) {
    case 0:
    case 4:
      // GATE low suspends counting, GATE high resumes it; OUT unaffected.
      if (!level && running_) {
        paused_e_ = std::max<int64_t>(0, tick - run_.load);
        running_ = false;
        paused_ = true;
        idle_ce_ = evalRun(run_, std::max(tick, run_.load)).ce;
        idle_out_ = now.out;
      } else if (level && paused_) {
        run_.load = tick - paused_e_;  // continue from where it stopped
        running_ = true;
        paused_ = false;
      }
      return;
    case 1:
    case 5:
      // A rising edge triggers (and retriggers): CR is loaded by the next CLK.
      if (level && has_count_) {
        startRun(cr_, tick);
        run_.before_out = now.out;
      }
      return;
    default:  // 2, 3
      if (!level) {
        // GATE low stops counting and forces OUT high at once.
        if (running_) idle_ce_ = now.ce;
        running_ = pending_ = false;
        idle_out_ = true;
      } else if (has_count_) {
        startRun(cr_, tick);  // rising edge: reload on the next CLK
        run_.before_out = true;
      }
  }
}

void PitCounter::latchCount(int64_t tick) {
  // A second latch before the first is read is ignored (datasheet).
  if (count_latched_) return;
  count_latched_ = true;
  latched_count_ = countRegister(tick);
}

void PitCounter::latchStatus(int64_t tick) {
  if (status_latched_) return;
  status_latched_ = true;
  latched_status_ = status(tick);
}

uint8_t PitCounter::status(int64_t tick) const {
  // Status byte: OUT, NULL COUNT, RW1 RW0, M2 M1 M0, BCD.
  const State s = eval(tick);
  return static_cast<uint8_t>((s.out ? 0x80 : 0) | (s.null_count ? 0x40 : 0) | rw_ << 4 | mode_bits_ << 1 | (bcd_ ? 1 : 0));
}

uint16_t PitCounter::countRegister(int64_t tick) const { return encode(eval(tick).ce); }

uint8_t PitCounter::read(int64_t tick) {
  settle(tick);
  // A latched status is read first, then a latched count (read-back).
  if (status_latched_) {
    status_latched_ = false;
    return latched_status_;
  }
  const uint16_t v = count_latched_ ? latched_count_ : countRegister(tick);
  bool last = true;
  uint8_t byte;
  switch (rw_) {
    case 1: byte = static_cast<uint8_t>(v); break;
    case 2: byte = static_cast<uint8_t>(v >> 8); break;
    default:
      byte = static_cast<uint8_t>(read_msb_ ? v >> 8 : v);
      last = read_msb_;
      read_msb_ = !read_msb_;
  }
  if (last) count_latched_ = false;
  return byte;
}

}  // namespace sv
