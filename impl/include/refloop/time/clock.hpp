// SPDX-License-Identifier: ISC
// Clocks: the injectable source of "now" for everything above the time layer (iopause stamps,
// the loop's cached time). Requirements: spec/time.md, section CLOCK.
//
// A waiter (iopause, a loop backend) never sleeps on the clock directly; it asks the clock how
// long a kernel wait may really block (kernel_timeout), and tells it when a wait came back with
// nothing ready (waited_idle). Real clocks pass the time through; the simulated clock makes every
// kernel wait a non-blocking check and jumps to the deadline instead, so tests on it are
// deterministic and take no real time.
#pragma once

#include <stdexcept>

#include "refloop/time/tain.hpp"

namespace refloop {

// The raw system clocks, for the few callers that need the kernel's own reading (the skalibs
// compatibility layer reproduces skalibs' sysclock functions). Everything else uses a Clock.
timespec read_realtime();
timespec read_monotonic();

class Clock {
 public:
  virtual ~Clock() = default;
  // [CLOCK-001] The current time as a TAI64N label.
  virtual tain now() = 0;
  // How long a kernel wait may block when the caller wants to wait `wanted` (relative).
  virtual tain kernel_timeout(const tain& wanted) { return wanted; }
  // Told after a kernel wait, asked to last `wanted`, returned with nothing ready.
  virtual void waited_idle(const tain& /*wanted*/) {}
};

// [CLOCK-002] CLOCK_REALTIME (POSIX UTC) converted to TAI with the leap-second table in use.
class WallClock final : public Clock {
 public:
  tain now() override;
};

// [CLOCK-003] CLOCK_MONOTONIC, anchored once (at construction) to the wall clock, so readings
// are TAI labels that never step backwards and measure intervals exactly.
class Stopwatch final : public Clock {
 public:
  Stopwatch();
  tain now() override;

 private:
  tain offset_;  // wall clock minus monotonic clock, read once
};

// Thrown by the simulated clock when a waiter would block forever with nothing ready: on a
// real clock that is a hang, in a simulation it is a bug in the test or the code under test.
class SimulatedDeadlock : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// [CLOCK-004] Time that moves only when told: by advance()/set(), or by an idle wait, which jumps
// exactly to the waiter's deadline (never past it, never short of it).
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(tain start = tain_epoch) : now_(start) {}
  tain now() override { return now_; }
  tain kernel_timeout(const tain& wanted) override;
  void waited_idle(const tain& wanted) override;

  void set(const tain& when) { now_ = when; }
  void advance(const tain& by) { now_ = now_ + by; }
  // [CLOCK-008] Lets each kernel wait block for up to `nap` of real time (a nanosecond, say), so
  // that a backend whose deadlines are carried by a kernel timer (epoll-timerfd) sets it and
  // waits for it; the simulated time still moves only as CLOCK-004 says. Zero (the default):
  // every kernel wait is a check.
  void set_kernel_nap(const tain& nap) { nap_ = nap; }

 private:
  tain now_;
  tain nap_{};
};

}  // namespace refloop
