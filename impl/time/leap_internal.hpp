// SPDX-License-Identifier: ISC
// Internal to impl/time: the calendar arithmetic and the table checks that leap.cpp,
// leap_convert.cpp and leap_file.cpp share (spec/time.md, section LEAP).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "refloop/time/leap.hpp"

namespace refloop::detail {

inline constexpr std::int64_t seconds_per_day = 86'400;
// POSIX time = NTP time - this (1900-01-01 to 1970-01-01: 70 years, 17 leap days).
inline constexpr std::int64_t ntp_to_posix_offset = 2'208'988'800;
// The NTP time of 1972-01-01, and TAI - UTC from then until the first leap second: the first
// data line of every leap-seconds.list file, and skalibs' constant offset before it.
inline constexpr std::int64_t ntp_1972 = 2'272'060'800;
inline constexpr int tai_minus_utc_before_first_leap = 10;

struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;
  int day = 1;
};

// Days since 1970-01-01 of a proleptic Gregorian date (valid for |year| <= 2 * 10^11).
std::int64_t days_from_civil(const CivilDate& date);
// The inverse: the date `days` days after 1970-01-01 (negative: before).
CivilDate civil_from_days(std::int64_t days);
bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);

// The reason a list of leap seconds is not a valid table, or none. `index` of the first bad
// entry (0-based) is reported through `bad_index`.
std::optional<LeapFileError> check_leaps(const std::vector<LeapSecond>& leaps, std::size_t& bad_index);

}  // namespace refloop::detail
