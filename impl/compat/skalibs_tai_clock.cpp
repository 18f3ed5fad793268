// SPDX-License-Identifier: ISC
// The skalibs-compatible leap-second conversions (<skalibs/djbtime.h> and the sysclock functions
// of <skalibs/tai.h>) and clocks (spec/time.md, TAICOMPAT). skalibs' default UTC build is
// reproduced: the system clock counts POSIX seconds, the leap table is the compiled-in one
// (refloop::LeapTable::builtin(), the same 27 entries as skalibs 2.15.1.0), and every clock read
// goes through refloop::read_realtime()/read_monotonic() (CLOCK-007: no clock calls here).
#include <cerrno>
#include <cstdint>

#include "refloop/time/clock.hpp"
#include "refloop/time/leap.hpp"

#include <skalibs/djbtime.h>
#include <skalibs/tai.h>

namespace {

constexpr std::uint64_t reserved_bit = std::uint64_t{1} << 63;

std::size_t leap_count() { return refloop::LeapTable::builtin().leaps().size(); }

// UTC (2^62 + posix) plus the leap seconds at or before it, with skalibs' unsigned arithmetic.
// Below 2^63 that is the C++ core's tai_from_utc less its +10. From 2^63 on, every entry lies
// below the running value, which is incremented once per entry until it wraps to 0 (skalibs'
// walk then stops, since 0 is below every entry).
std::uint64_t utc_plus_leaps(std::uint64_t u) {
  if (u < reserved_bit) {
    const auto posix = static_cast<std::int64_t>(u - TAI_MAGIC);
    return refloop::tai_from_utc(posix, refloop::LeapTable::builtin()).x - 10;
  }
  const std::uint64_t n = leap_count();
  const std::uint64_t steps_to_wrap = ~u + 1;  // 2^64 - u
  return steps_to_wrap <= n ? 0 : u + n;
}

bool read_clock(clock_t clk, timespec& ts) {
  if (clk == static_cast<clock_t>(CLOCK_MONOTONIC)) {
    ts = refloop::read_monotonic();
    return true;
  }
  if (clk == static_cast<clock_t>(CLOCK_REALTIME)) {
    ts = refloop::read_realtime();
    return true;
  }
  errno = EINVAL;  // what the system returns for a clock it does not know
  return false;
}

tain stopwatch_offset;

int read_stopwatch(tain* now) { return tain_stopwatch_read(now, CLOCK_MONOTONIC, &stopwatch_offset); }

}  // namespace

extern "C" {

// implements: TAICOMPAT-020
int tai_from_utc(tai* t, uint64_t u) { return tai_u64(t, utc_plus_leaps(u) + 10); }

// implements: TAICOMPAT-021 (EINVAL below 10; 2 on a leap second, folded onto the next midnight).
// The C++ core's utc_from_tai is skalibs' walk over the same table.
int utc_from_tai(uint64_t* u, tai const* t) {
  const auto reading = refloop::utc_from_tai(refloop::tai{t->x}, refloop::LeapTable::builtin());
  if (!reading) {
    errno = EINVAL;  // the only refusal: a label below 10
    return 0;
  }
  *u = reading->sysclock;
  return reading->leap_second ? 2 : 1;
}

// implements: TAICOMPAT-022 (UTC mode: the system clock is UTC)
int utc_from_sysclock(uint64_t*) { return 1; }
int sysclock_from_utc(uint64_t*) { return 1; }
int tai_from_sysclock(tai* t, uint64_t u) { return tai_from_utc(t, u); }
int sysclock_from_tai(uint64_t* u, tai const* t) { return utc_from_tai(u, t); }

int tain_from_sysclock(tain* a, tain const* u) {
  const std::uint32_t nano = u->nano;
  if (!tai_from_sysclock(&a->sec, u->sec.x)) return 0;
  a->nano = nano;
  return 1;
}

int sysclock_from_tain(tain* u, tain const* t) {
  const std::uint32_t nano = t->nano;
  if (!sysclock_from_tai(&u->sec.x, &t->sec)) return 0;
  u->nano = nano;
  return 1;
}

int time_sysclock_from_tai(time_t* u, tai const* t) {
  std::uint64_t uu = 0;
  if (!sysclock_from_tai(&uu, t)) return 0;
  const tai sys{uu};
  return time_from_tai(u, &sys);  // TAICOMPAT-032 on a 32-bit time_t
}

int tain_from_timespec_sysclock(tain* a, struct timespec const* ts) {
  if (!tai_from_time_sysclock(&a->sec, ts->tv_sec)) return 0;
  a->nano = static_cast<std::uint32_t>(ts->tv_nsec);
  return 1;
}

int tain_from_timeval_sysclock(tain* a, struct timeval const* tv) {
  if (!tai_from_time_sysclock(&a->sec, tv->tv_sec)) return 0;
  a->nano = static_cast<std::uint32_t>(1000U * static_cast<std::uint64_t>(tv->tv_usec));
  return 1;
}

int timespec_sysclock_from_tain(struct timespec* ts, tain const* a) {
  tain sys;
  if (!sysclock_from_tain(&sys, a)) return 0;
  return timespec_from_tain(ts, &sys);
}

int timeval_sysclock_from_tain(struct timeval* tv, tain const* a) {
  tain sys;
  if (!sysclock_from_tain(&sys, a)) return 0;
  return timeval_from_tain(tv, &sys);
}

// implements: TAICOMPAT-023 (+500 ns, sysclock form)
int sysclock_get(tain* a) {
  const timespec now = refloop::read_realtime();
  tain t;
  if (!tain_from_timespec(&t, &now)) return 0;
  tain_add(a, &t, &tain_nano500);
  return 1;
}

// implements: TAICOMPAT-024
int tain_wallclock_read(tain* a) {
  tain sys;
  if (!sysclock_get(&sys)) return 0;
  return tain_from_sysclock(a, &sys);
}

int tai_now(tai* t) { return tai_from_time_sysclock(t, refloop::read_realtime().tv_sec); }

// implements: TAICOMPAT-025 (the given clock is read first, then the wall clock)
int tain_stopwatch_init(tain* now, clock_t clk, tain* offset) {
  timespec ts{};
  tain mono;
  tain wall;
  if (!read_clock(clk, ts) || !tain_from_timespec(&mono, &ts)) return 0;
  if (!tain_wallclock_read(&wall)) return 0;
  tain_sub(offset, &wall, &mono);
  *now = wall;
  return 1;
}

int tain_stopwatch_read(tain* now, clock_t clk, tain const* offset) {
  timespec ts{};
  if (!read_clock(clk, ts) || !tain_from_timespec(now, &ts)) return 0;
  tain_add(now, now, offset);
  return 1;
}

// implements: TAICOMPAT-026
tain_clockread_func_ref tain_now = &tain_wallclock_read;

int tain_now_set_wallclock(tain* now) {
  tain_now = &tain_wallclock_read;
  return tain_wallclock_read(now);
}

int tain_now_set_stopwatch(tain* now) {
  if (!tain_stopwatch_init(now, CLOCK_MONOTONIC, &stopwatch_offset)) return tain_now_set_wallclock(now);
  tain_now = &read_stopwatch;
  return 1;
}

}  // extern "C"
