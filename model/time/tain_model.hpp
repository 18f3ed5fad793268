// SPDX-License-Identifier: ISC
// The model of tai/tain (spec/time.md, TAI and TAIN), written to be obviously right rather than
// fast: a time is one unsigned 128-bit count of nanoseconds in the ring [0, 2^64 * 10^9), so
// every operation is plain integer arithmetic followed by one "mod". Mirrors impl/time/tain.cpp.
// The 128-bit integers are wide_int.hpp's, the same on 32-bit and 64-bit targets.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <limits>
#include <optional>

#include "wide_int.hpp"  // beside this file

namespace refloop::model {

inline constexpr u128 billion = 1'000'000'000;
inline constexpr u128 two_64 = u128{1} << 64;
inline constexpr u128 ring = two_64 * billion;  // the number of distinct tain values
inline constexpr u128 two_62 = u128{1} << 62;
inline constexpr u128 two_63 = u128{1} << 63;

struct Time {
  u128 ns = 0;  // always < ring
  friend constexpr bool operator==(Time, Time) = default;
  [[nodiscard]] constexpr std::uint64_t sec() const { return static_cast<std::uint64_t>(ns / billion); }
  [[nodiscard]] constexpr std::uint32_t nano() const { return static_cast<std::uint32_t>(ns % billion); }
};

constexpr Time make(std::uint64_t sec, std::uint64_t nano) { return Time{(u128{sec} * billion + nano) % ring}; }
constexpr Time wrap(i128 ns) {  // any signed count, reduced into the ring
  const i128 r = static_cast<i128>(ring);
  return Time{static_cast<u128>(((ns % r) + r) % r)};
}

constexpr Time add(Time a, Time b) { return Time{(a.ns + b.ns) % ring}; }
constexpr Time sub(Time a, Time b) { return Time{(a.ns + ring - b.ns) % ring}; }
constexpr bool less(Time a, Time b) { return a.ns < b.ns; }
constexpr Time add_seconds(Time a, std::int64_t n) { return wrap(static_cast<i128>(a.ns) + i128{n} * 1'000'000'000); }
constexpr Time add_milliseconds(Time a, std::uint64_t ms) { return Time{(a.ns + u128{ms} * 1'000'000) % ring}; }
constexpr Time half(Time a) { return Time{a.ns / 2}; }
constexpr Time earliest(Time a, Time b) { return less(b, a) ? b : a; }

inline constexpr Time infinite = make((std::uint64_t{1} << 62) + (std::uint64_t{1} << 61), 0);

// Conversion errors, same meaning as refloop::TimeErrc.
enum class Err { none, nano_out_of_range, negative, out_of_range };

struct Conv {  // a conversion to tain: a time or an error
  Time value{};
  Err err = Err::none;
};
struct Parts {  // a conversion to timespec/timeval: seconds and sub-second units, or an error
  i128 sec = 0;
  i128 sub = 0;
  Err err = Err::none;
};

// Absolute: label = 2^62 + t, which must lie in [0, 2^63).
constexpr Conv from_absolute(i128 t, i128 ns) {
  if (ns < 0 || ns >= static_cast<i128>(billion)) return {{}, Err::nano_out_of_range};
  const i128 label = static_cast<i128>(two_62) + t;
  if (label < 0 || label >= static_cast<i128>(two_63)) return {{}, Err::out_of_range};
  return {Time{static_cast<u128>(label) * billion + static_cast<u128>(ns)}, Err::none};
}
constexpr Conv from_relative(i128 t, i128 ns) {
  if (ns < 0 || ns >= static_cast<i128>(billion)) return {{}, Err::nano_out_of_range};
  if (t < 0) return {{}, Err::negative};
  return {Time{static_cast<u128>(t) * billion + static_cast<u128>(ns)}, Err::none};
}

// The seconds a timespec/timeval holds on this target: 64-bit, or 32-bit on armhf (TAIN-015).
inline constexpr i128 time_t_min = std::numeric_limits<time_t>::min();
inline constexpr i128 time_t_max = std::numeric_limits<time_t>::max();

// `unit` is 1 for timespec (exact) or 1000 for timeval (rounded up to whole microseconds).
constexpr Parts to_absolute(Time a, u128 unit) {
  const u128 up = (a.ns + unit - 1) / unit * unit;  // may reach the next second
  const u128 label = up / billion;
  if (label >= two_63) return {0, 0, Err::out_of_range};
  const i128 sec = static_cast<i128>(label) - static_cast<i128>(two_62);
  if (sec < time_t_min || sec > time_t_max) return {0, 0, Err::out_of_range};
  return {sec, static_cast<i128>((up % billion) / unit), Err::none};
}
constexpr Parts to_relative(Time a, u128 unit) {
  const u128 up = (a.ns + unit - 1) / unit * unit;
  const i128 sec = static_cast<i128>(up / billion);
  if (sec > time_t_max) return {0, 0, Err::out_of_range};
  return {sec, static_cast<i128>((up % billion) / unit), Err::none};
}

constexpr Time from_milliseconds(std::uint64_t ms) { return Time{u128{ms} * 1'000'000}; }
constexpr std::uint64_t to_milliseconds(Time a) {
  const u128 ms = (a.ns + 999'999) / 1'000'000;
  return ms > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(ms);
}

}  // namespace refloop::model
