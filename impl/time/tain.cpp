// SPDX-License-Identifier: ISC
// tain arithmetic and conversions (spec/time.md, TAIN). Values are (seconds mod 2^64, nanoseconds
// in 0..10^9-1); every operation carries or borrows at most once, which is exact because both
// inputs are normalised. The model (model/time) computes the same with 128-bit nanosecond counts.
#include "refloop/time/tain.hpp"

#include <limits>

namespace refloop {

namespace {

constexpr std::int64_t max_label_offset = std::int64_t{1} << 62;  // labels must stay below 2^63

// Builds a tain from parts already known to be in range.
tain from_parts(std::uint64_t sec, std::uint32_t nano) { return tain::normalised(sec, nano); }

}  // namespace

// implements: TAIN-006 (unsigned negation of the two's complement is defined for INT64_MIN)
tain add_seconds(const tain& a, std::int64_t seconds) {
  return from_parts(a.sec() + static_cast<std::uint64_t>(seconds), a.nano());
}

// implements: TAIN-007
tain add_milliseconds(const tain& a, std::uint64_t milliseconds) {
  return a + tain_from_milliseconds(milliseconds);
}

// implements: TAIN-008. Half of sec * 10^9 is (sec / 2) * 10^9 plus 5 * 10^8 when sec is odd;
// adding half the nanoseconds (rounded down) stays below 10^9.
tain half(const tain& a) {
  const std::uint32_t odd_half = (a.sec() & 1) ? nano_per_second / 2 : 0;
  return from_parts(a.sec() >> 1, odd_half + a.nano() / 2);
}

// implements: TAIN-009
tain earliest(const tain& a, const tain& b) { return b < a ? b : a; }

tain earliest(std::span<const tain> values) {
  if (values.empty()) return tain_infinite;
  tain least = values.front();
  for (const tain& v : values) least = earliest(least, v);
  return least;
}

const char* describe(TimeErrc error) {
  switch (error) {
    case TimeErrc::nano_out_of_range: return "sub-second field out of range";
    case TimeErrc::negative: return "negative relative time";
    case TimeErrc::out_of_range: return "value does not fit the target (reserved TAI64 label or overflow)";
  }
  return "unknown time error";
}

// implements: TAIN-010
Expected<tain, TimeErrc> tain_from_timespec(const timespec& ts) {
  if (ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long>(nano_per_second))
    return Unexpected{TimeErrc::nano_out_of_range};
  const std::int64_t t = ts.tv_sec;
  if (t < -max_label_offset || t >= max_label_offset) return Unexpected{TimeErrc::out_of_range};
  return from_parts(tai_magic + static_cast<std::uint64_t>(t), static_cast<std::uint32_t>(ts.tv_nsec));
}

namespace {
// implements: TAIN-015 (a 32-bit time_t holds less than a label: refused, never wrapped)
bool fits_time_t(std::int64_t seconds) {
  return seconds >= std::numeric_limits<time_t>::min() && seconds <= std::numeric_limits<time_t>::max();
}
}  // namespace

Expected<timespec, TimeErrc> timespec_from_tain(const tain& a) {
  if (a.sec() >= (std::uint64_t{1} << 63)) return Unexpected{TimeErrc::out_of_range};
  const std::int64_t seconds = static_cast<std::int64_t>(a.sec()) - static_cast<std::int64_t>(tai_magic);
  if (!fits_time_t(seconds)) return Unexpected{TimeErrc::out_of_range};
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = a.nano();
  return ts;
}

// implements: TAIN-011
Expected<tain, TimeErrc> tain_from_timespec_relative(const timespec& ts) {
  if (ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long>(nano_per_second))
    return Unexpected{TimeErrc::nano_out_of_range};
  if (ts.tv_sec < 0) return Unexpected{TimeErrc::negative};
  return from_parts(static_cast<std::uint64_t>(ts.tv_sec), static_cast<std::uint32_t>(ts.tv_nsec));
}

Expected<timespec, TimeErrc> timespec_from_tain_relative(const tain& a) {
  if (a.sec() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      !fits_time_t(static_cast<std::int64_t>(a.sec())))
    return Unexpected{TimeErrc::out_of_range};
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(a.sec());
  ts.tv_nsec = a.nano();
  return ts;
}

// implements: TAIN-012
Expected<tain, TimeErrc> tain_from_timeval(const timeval& tv) {
  if (tv.tv_usec < 0 || tv.tv_usec >= 1'000'000) return Unexpected{TimeErrc::nano_out_of_range};
  return tain_from_timespec(timespec{tv.tv_sec, tv.tv_usec * 1000});
}

Expected<tain, TimeErrc> tain_from_timeval_relative(const timeval& tv) {
  if (tv.tv_usec < 0 || tv.tv_usec >= 1'000'000) return Unexpected{TimeErrc::nano_out_of_range};
  return tain_from_timespec_relative(timespec{tv.tv_sec, tv.tv_usec * 1000});
}

namespace {

// implements: TAIN-013. Rounds the nanoseconds up to whole microseconds first, so the rounded
// value (possibly one second later) is then converted exactly.
tain round_up_to_microsecond(const tain& a, bool& overflowed) {
  const std::uint32_t micro = (a.nano() + 999) / 1000;  // 0..1'000'000
  overflowed = micro == 1'000'000 && a.sec() == std::numeric_limits<std::uint64_t>::max();
  return tain::normalised(a.sec(), std::uint64_t{micro} * 1000);
}

timeval to_timeval(const timespec& ts) { return timeval{ts.tv_sec, ts.tv_nsec / 1000}; }

}  // namespace

Expected<timeval, TimeErrc> timeval_from_tain(const tain& a) {
  bool overflowed = false;
  const tain up = round_up_to_microsecond(a, overflowed);
  if (overflowed) return Unexpected{TimeErrc::out_of_range};
  const auto ts = timespec_from_tain(up);
  if (!ts) return Unexpected{ts.error()};
  return to_timeval(*ts);
}

Expected<timeval, TimeErrc> timeval_from_tain_relative(const tain& a) {
  bool overflowed = false;
  const tain up = round_up_to_microsecond(a, overflowed);
  if (overflowed) return Unexpected{TimeErrc::out_of_range};
  const auto ts = timespec_from_tain_relative(up);
  if (!ts) return Unexpected{ts.error()};
  return to_timeval(*ts);
}

// implements: TAIN-014
tain tain_from_milliseconds(std::uint64_t milliseconds) {
  return tain::normalised(milliseconds / 1000, (milliseconds % 1000) * 1'000'000);
}

std::uint64_t milliseconds_from_tain(const tain& relative) {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t sub_ms = (relative.nano() + 999'999) / 1'000'000;  // 0..1000
  if (relative.sec() > (max - sub_ms) / 1000) return max;
  return relative.sec() * 1000 + sub_ms;
}

}  // namespace refloop
