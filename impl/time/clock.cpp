// SPDX-License-Identifier: ISC
// The three clocks (spec/time.md, CLOCK). Only this file reads the system clocks; everything
// above the time layer receives a Clock.
#include "refloop/time/clock.hpp"

#include <ctime>

#include "refloop/time/leap.hpp"

namespace refloop {

namespace {

timespec read_clock(clockid_t id) {
  timespec ts{};
  // clock_gettime cannot fail for these two ids on any supported system; a failure would mean
  // a broken libc, and a zero reading is still a defined value.
  (void)clock_gettime(id, &ts);
  return ts;
}

}  // namespace

timespec read_realtime() { return read_clock(CLOCK_REALTIME); }
timespec read_monotonic() { return read_clock(CLOCK_MONOTONIC); }

// implements: CLOCK-002
tain WallClock::now() {
  const timespec ts = read_clock(CLOCK_REALTIME);
  return tain::normalised(tai_from_utc(ts.tv_sec).x, static_cast<std::uint64_t>(ts.tv_nsec));
}

// implements: CLOCK-003. The monotonic clock is read first, then the wall clock, as skalibs'
// tain_stopwatch_init does; readings are monotonic time plus the fixed offset.
Stopwatch::Stopwatch() {
  const timespec mono = read_clock(CLOCK_MONOTONIC);
  const tain wall = WallClock().now();
  offset_ = wall - tain::normalised(static_cast<std::uint64_t>(mono.tv_sec),
                                    static_cast<std::uint64_t>(mono.tv_nsec));
}

tain Stopwatch::now() {
  const timespec mono = read_clock(CLOCK_MONOTONIC);
  return tain::normalised(static_cast<std::uint64_t>(mono.tv_sec),
                          static_cast<std::uint64_t>(mono.tv_nsec)) + offset_;
}

// implements: CLOCK-005, CLOCK-008
tain SimulatedClock::kernel_timeout(const tain& wanted) { return wanted < nap_ ? wanted : nap_; }

// implements: CLOCK-006
void SimulatedClock::waited_idle(const tain& wanted) {
  if (wanted >= tain_infinite_relative)
    throw SimulatedDeadlock("SimulatedClock: a wait forever returned with nothing ready");
  now_ = now_ + wanted;
}

}  // namespace refloop
