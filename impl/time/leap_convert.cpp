// SPDX-License-Identifier: ISC
// UTC <-> TAI with a leap-second table: POSIX seconds to labels (skalibs' tai_from_utc), labels
// to POSIX seconds with the leap second folded and flagged (skalibs' utc_from_tai), and the
// broken-down calendar form in which the leap second is 23:59:60. Requirements: spec/time.md,
// LEAP-003, LEAP-004, LEAP-005.
#include <algorithm>
#include <ranges>

#include "leap_internal.hpp"
#include "refloop/time/leap.hpp"

namespace refloop {

namespace {

constexpr std::uint64_t utc_offset_before_1972 = 10;  // skalibs: TAI - UTC fixed at 10 s
constexpr std::int64_t calendar_year_limit = 200'000'000'000;  // keeps posix seconds in int64
constexpr std::int64_t label_offset_limit = std::int64_t{1} << 62;  // labels [0, 2^63) = 2^62 +- this

// Number of leap seconds inserted at or before `posix` (entries whose midnight is <= posix).
std::size_t leaps_at_or_before(std::int64_t posix, const LeapTable& table) {
  const auto& leaps = table.leaps();
  const auto after = std::ranges::upper_bound(leaps, posix, {}, &LeapSecond::posix_midnight);
  return static_cast<std::size_t>(after - leaps.begin());
}

// Entry k as skalibs stores it: the TAI - 10 value (2^62-based) of the inserted 23:59:60.
std::uint64_t leap_second_tai_minus_10(const LeapTable& table, std::size_t k) {
  return tai_magic + static_cast<std::uint64_t>(table.leaps()[k].posix_midnight) + k;
}

bool is_leap_day_end(std::int64_t next_midnight, const LeapTable& table) {
  return std::ranges::binary_search(table.leaps(), next_midnight, {}, &LeapSecond::posix_midnight);
}

Expected<tain, LeapErrc> label_from_offset(std::int64_t offset_from_magic, std::uint32_t nano) {
  if (offset_from_magic < -label_offset_limit || offset_from_magic >= label_offset_limit)
    return Unexpected{LeapErrc::out_of_range};
  return *tain::checked(tai_magic + static_cast<std::uint64_t>(offset_from_magic), nano);
}

bool fields_valid(const UtcTime& utc) {
  if (utc.month < 1 || utc.month > 12) return false;
  if (utc.day < 1 || utc.day > detail::days_in_month(utc.year, utc.month)) return false;
  if (utc.hour < 0 || utc.hour > 23 || utc.minute < 0 || utc.minute > 59) return false;
  return utc.second >= 0 && utc.second <= 60 && utc.nano < nano_per_second;
}

}  // namespace

// implements: LEAP-003
tai tai_from_utc(std::int64_t posix_seconds, const LeapTable& table) {
  const std::uint64_t leaps = leaps_at_or_before(posix_seconds, table);
  return tai{tai_magic + utc_offset_before_1972 + static_cast<std::uint64_t>(posix_seconds) + leaps};
}

tai tai_from_utc(std::int64_t posix_seconds) { return tai_from_utc(posix_seconds, *leap_table_in_use()); }

// implements: LEAP-004
Expected<UtcReading, LeapErrc> utc_from_tai(const tai& label, const LeapTable& table) {
  if (label.x < utc_offset_before_1972) return Unexpected{LeapErrc::label_below_10};
  const std::uint64_t tai_minus_10 = label.x - utc_offset_before_1972;
  // Entries strictly below the value are leap seconds already behind it; an equal one is it.
  // (A plain loop: clang 14 cannot compile std::views::iota with libstdc++ 12, and the fuzz
  // preset builds with clang 14.)
  std::size_t below = 0;
  while (below < table.leaps().size() && leap_second_tai_minus_10(table, below) < tai_minus_10) ++below;
  const bool hit = below < table.leaps().size() && leap_second_tai_minus_10(table, below) == tai_minus_10;
  return UtcReading{tai_minus_10 - below, hit};
}

Expected<UtcReading, LeapErrc> utc_from_tai(const tai& label) { return utc_from_tai(label, *leap_table_in_use()); }

// implements: LEAP-005
Expected<tain, LeapErrc> tain_from_utc_time(const UtcTime& utc, const LeapTable& table) {
  if (utc.year < -calendar_year_limit || utc.year > calendar_year_limit) return Unexpected{LeapErrc::out_of_range};
  if (!fields_valid(utc)) return Unexpected{LeapErrc::invalid_field};
  const std::int64_t midnight =
      detail::days_from_civil({utc.year, utc.month, utc.day}) * detail::seconds_per_day;
  if (utc.second == 60) {
    const std::int64_t next_midnight = midnight + detail::seconds_per_day;
    if (utc.hour != 23 || utc.minute != 59 || !is_leap_day_end(next_midnight, table))
      return Unexpected{LeapErrc::not_a_leap_second};
    // The leap second's label is the following midnight's label minus one.
    const auto leaps = static_cast<std::int64_t>(leaps_at_or_before(next_midnight, table));
    return label_from_offset(next_midnight + 10 + leaps - 1, utc.nano);
  }
  const std::int64_t posix = midnight + utc.hour * 3600 + utc.minute * 60 + utc.second;
  const auto leaps = static_cast<std::int64_t>(leaps_at_or_before(posix, table));
  return label_from_offset(posix + 10 + leaps, utc.nano);
}

Expected<tain, LeapErrc> tain_from_utc_time(const UtcTime& utc) {
  return tain_from_utc_time(utc, *leap_table_in_use());
}

// implements: LEAP-005
Expected<UtcTime, LeapErrc> utc_time_from_tain(const tain& label, const LeapTable& table) {
  if (label.sec() >= (std::uint64_t{1} << 63)) return Unexpected{LeapErrc::reserved_label};
  const auto reading = utc_from_tai(label.label(), table);
  if (!reading) return Unexpected{reading.error()};
  // A leap second reads as the second before its following midnight, with 60 for 59.
  const std::int64_t posix = reading->posix() - (reading->leap_second ? 1 : 0);
  const std::int64_t days = posix / detail::seconds_per_day - (posix % detail::seconds_per_day < 0 ? 1 : 0);
  const std::int64_t second_of_day = posix - days * detail::seconds_per_day;
  const detail::CivilDate date = detail::civil_from_days(days);
  UtcTime utc;
  utc.year = date.year;
  utc.month = date.month;
  utc.day = date.day;
  utc.hour = static_cast<int>(second_of_day / 3600);
  utc.minute = static_cast<int>(second_of_day / 60 % 60);
  utc.second = reading->leap_second ? 60 : static_cast<int>(second_of_day % 60);
  utc.nano = label.nano();
  return utc;
}

Expected<UtcTime, LeapErrc> utc_time_from_tain(const tain& label) {
  return utc_time_from_tain(label, *leap_table_in_use());
}

}  // namespace refloop
