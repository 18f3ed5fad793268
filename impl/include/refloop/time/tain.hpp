// SPDX-License-Identifier: ISC
// TAI64 labels (tai) and labels with nanoseconds (tain): the time values under iopause and the
// event loop. Requirements: spec/time.md, sections TAI and TAIN. The C++ API is stricter than
// skalibs': a tain's nanoseconds are always 0..999'999'999 (the class enforces it), arithmetic
// is defined for every input (modulo 2^64 seconds), and conversions report out-of-range values
// instead of wrapping. The skalibs-compatible C API (<skalibs/tai.h>) keeps skalibs' quirks.
#pragma once

#include <sys/time.h>

#include <compare>
#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <span>

#include "refloop/expected.hpp"

namespace refloop {

inline constexpr std::uint64_t tai_magic = std::uint64_t{1} << 62;  // 1970-01-01 00:00:00 TAI
inline constexpr std::uint32_t nano_per_second = 1'000'000'000;

// [TAI-001] A TAI64 label when absolute (2^62 is 1970-01-01 00:00:00 TAI, labels >= 2^63 are
// reserved), or a count of seconds when relative. Both wrap modulo 2^64.
struct tai {
  std::uint64_t x = 0;
  friend constexpr auto operator<=>(const tai&, const tai&) = default;
};

// [TAIN-001] A tai plus nanoseconds. The nanosecond field is always in 0..999'999'999: every
// way of making a tain either checks it or carries the excess into the seconds.
class tain {
 public:
  constexpr tain() = default;

  // Carries nano / 10^9 into the seconds (modulo 2^64); total.
  static constexpr tain normalised(std::uint64_t sec, std::uint64_t nano) {
    return tain(sec + nano / nano_per_second, static_cast<std::uint32_t>(nano % nano_per_second));
  }
  // Rejects nano >= 10^9 instead of carrying.
  static constexpr std::optional<tain> checked(std::uint64_t sec, std::uint64_t nano) {
    if (nano >= nano_per_second) return std::nullopt;
    return tain(sec, static_cast<std::uint32_t>(nano));
  }
  static constexpr tain seconds(std::uint64_t sec) { return tain(sec, 0); }

  [[nodiscard]] constexpr std::uint64_t sec() const { return sec_; }
  [[nodiscard]] constexpr std::uint32_t nano() const { return nano_; }
  [[nodiscard]] constexpr tai label() const { return tai{sec_}; }

  // [TAIN-004] Order is lexicographic on (sec, nano) as unsigned numbers, as skalibs' tain_less:
  // a "negative" relative value (a wrapped difference) is greater than every positive one.
  friend constexpr auto operator<=>(const tain&, const tain&) = default;

  // [TAIN-003] Arithmetic is modulo 2^64 seconds (a ring of 2^64 * 10^9 nanoseconds): defined
  // for every input, never undefined behaviour. Both inputs are normalised, so the nanoseconds
  // carry or borrow at most once. Inline: every deadline and every wait computes one.
  friend constexpr tain operator+(const tain& a, const tain& b) {
    const std::uint32_t nano = a.nano_ + b.nano_;  // < 2 * 10^9, fits in 32 bits
    if (nano >= nano_per_second) return tain(a.sec_ + b.sec_ + 1, nano - nano_per_second);
    return tain(a.sec_ + b.sec_, nano);
  }
  friend constexpr tain operator-(const tain& a, const tain& b) {
    if (a.nano_ < b.nano_) return tain(a.sec_ - b.sec_ - 1, a.nano_ + nano_per_second - b.nano_);
    return tain(a.sec_ - b.sec_, a.nano_ - b.nano_);
  }

 private:
  constexpr tain(std::uint64_t sec, std::uint32_t nano) : sec_(sec), nano_(nano) {}
  std::uint64_t sec_ = 0;
  std::uint32_t nano_ = 0;
};

// [TAIN-002] Named constants.
inline constexpr tain tain_zero{};
inline constexpr tain tain_epoch = tain::seconds(tai_magic + 10);            // 1970-01-01 00:00:00 UTC
inline constexpr tain tain_infinite = tain::seconds(tai_magic + (tai_magic >> 1));  // 2^62 + 2^61
inline constexpr tain tain_infinite_relative = tain::seconds(tai_magic >> 1);       // 2^61 s

// [TAIN-003] More arithmetic, modulo 2^64 seconds as operator+ and operator- above.
tain add_seconds(const tain& a, std::int64_t seconds);
tain add_milliseconds(const tain& a, std::uint64_t milliseconds);
tain half(const tain& a);  // floor of half, reading a as an unsigned relative value
tain earliest(const tain& a, const tain& b);
tain earliest(std::span<const tain> values);  // tain_infinite when values is empty
inline tain earliest(std::initializer_list<tain> values) {
  return earliest(std::span<const tain>(values.begin(), values.size()));
}

// Why a conversion was refused.
enum class TimeErrc {
  nano_out_of_range,  // tv_nsec outside 0..999'999'999, or tv_usec outside 0..999'999
  negative,           // a negative relative value (tv_sec < 0)
  out_of_range,       // the value does not fit the target type or the label range
};
const char* describe(TimeErrc error);

// [TAIN-010..013] timespec / timeval. Absolute forms map the label 2^62 + t to t seconds since
// 1970-01-01 00:00:00 TAI (no leap seconds: this is representation, not time scale); labels
// must lie in [0, 2^63). Relative forms map seconds to seconds. To-timeval rounds UP to the
// microsecond, so a timeout computed from it never expires early (skalibs rounds to nearest).
Expected<tain, TimeErrc> tain_from_timespec(const timespec& ts);
Expected<tain, TimeErrc> tain_from_timespec_relative(const timespec& ts);
Expected<timespec, TimeErrc> timespec_from_tain(const tain& a);
Expected<timespec, TimeErrc> timespec_from_tain_relative(const tain& a);
Expected<tain, TimeErrc> tain_from_timeval(const timeval& tv);
Expected<tain, TimeErrc> tain_from_timeval_relative(const timeval& tv);
Expected<timeval, TimeErrc> timeval_from_tain(const tain& a);
Expected<timeval, TimeErrc> timeval_from_tain_relative(const tain& a);

// [TAIN-014] Milliseconds, relative. To-milliseconds rounds UP (1 ns is 1 ms) and saturates at
// UINT64_MAX for values too large to count, so every input has a defined result.
tain tain_from_milliseconds(std::uint64_t milliseconds);
std::uint64_t milliseconds_from_tain(const tain& relative);

}  // namespace refloop
