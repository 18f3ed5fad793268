// SPDX-License-Identifier: ISC
// The model of impl/time's leap seconds (spec/time.md, section LEAP), written to be obviously
// right rather than fast: the table is a plain list of the POSIX midnights that follow each
// 23:59:60, every question is a linear scan of it, and the calendar is walked month by month
// within one 400-year Gregorian cycle. Self-contained (no impl headers), so the property tests
// compare two independent pieces of code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace refloop::model {

inline constexpr std::uint64_t magic = std::uint64_t{1} << 62;  // label of 1970-01-01 00:00:00 TAI
inline constexpr std::uint64_t reserved = std::uint64_t{1} << 63;
inline constexpr std::int64_t day = 86'400;

// The leap table: the POSIX time of the midnight after each inserted leap second, in order.
using LeapList = std::vector<std::int64_t>;

inline LeapList builtin_leaps() {
  // Each 23:59:60 is named by the next day: 1972-07-01, 1973-01-01, ... (as tzdata lists them).
  return {78796800,   94694400,   126230400,  157766400,  189302400,  220924800,  252460800,
          283996800,  315532800,  362793600,  394329600,  425865600,  489024000,  567993600,
          631152000,  662688000,  709948800,  741484800,  773020800,  820454400,  867715200,
          915148800,  1136073600, 1230768000, 1341100800, 1435708800, 1483228800};
}

// How many leap seconds were inserted at or before `posix`.
inline std::uint64_t leaps_up_to(std::int64_t posix, const LeapList& leaps) {
  std::uint64_t count = 0;
  for (const std::int64_t midnight : leaps)
    if (midnight <= posix) count += 1;
  return count;
}

// LEAP-003: 10 s before the first leap second, one more after each.
inline std::uint64_t tai_from_utc(std::int64_t posix, const LeapList& leaps) {
  return magic + 10 + static_cast<std::uint64_t>(posix) + leaps_up_to(posix, leaps);
}

// The label of leap second k: one second before the label of the midnight that follows it.
inline std::uint64_t leap_label(std::size_t k, const LeapList& leaps) {
  return tai_from_utc(leaps[k], leaps) - 1;
}

struct UtcReading {
  std::uint64_t sysclock = 0;  // 2^62 + POSIX seconds
  bool leap_second = false;
};

// LEAP-004: none for labels below 10. Every leap second whose label is below `label` is a second
// that UTC did not count; the leap second itself reads as the midnight after it.
inline std::optional<UtcReading> utc_from_tai(std::uint64_t label, const LeapList& leaps) {
  if (label < 10) return std::nullopt;
  UtcReading reading;
  std::uint64_t uncounted = 0;
  for (std::size_t k = 0; k < leaps.size(); ++k) {
    if (leap_label(k, leaps) < label) uncounted += 1;
    if (leap_label(k, leaps) == label) reading.leap_second = true;
  }
  reading.sysclock = label - 10 - uncounted;
  return reading;
}

struct Civil {
  std::int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::uint32_t nano = 0;
  friend bool operator==(const Civil&, const Civil&) = default;
};

inline bool leap_year(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int month_length(std::int64_t y, int m) {
  if (m == 2) return leap_year(y) ? 29 : 28;
  if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
  return 31;
}

inline constexpr std::int64_t days_per_400_years = 146'097;

// Days from 1970-01-01: jump whole 400-year cycles, then count years and months one by one.
inline std::int64_t days_since_1970(std::int64_t y, int m, int d) {
  std::int64_t cycles = (y - 1970) / 400;
  if ((y - 1970) % 400 < 0) cycles -= 1;
  std::int64_t days = cycles * days_per_400_years;
  for (std::int64_t year = 1970 + cycles * 400; year < y; ++year) days += leap_year(year) ? 366 : 365;
  for (int month = 1; month < m; ++month) days += month_length(y, month);
  return days + d - 1;
}

inline Civil date_from_days(std::int64_t days) {
  std::int64_t cycles = days / days_per_400_years;
  if (days % days_per_400_years < 0) cycles -= 1;
  days -= cycles * days_per_400_years;
  Civil date;
  date.year = 1970 + cycles * 400;
  while (days >= (leap_year(date.year) ? 366 : 365)) days -= leap_year(date.year++) ? 366 : 365;
  while (days >= month_length(date.year, date.month)) days -= month_length(date.year, date.month++);
  date.day = static_cast<int>(days) + 1;
  return date;
}

enum class CalendarError { label_below_10, reserved_label, invalid_field, not_a_leap_second, out_of_range };

struct CalendarResult {
  std::optional<Civil> time;
  std::optional<CalendarError> error;
};

// LEAP-005, label to calendar.
inline CalendarResult utc_time_from_tain(std::uint64_t label, std::uint32_t nano, const LeapList& leaps) {
  if (label >= reserved) return {std::nullopt, CalendarError::reserved_label};
  const auto reading = utc_from_tai(label, leaps);
  if (!reading) return {std::nullopt, CalendarError::label_below_10};
  std::int64_t posix = static_cast<std::int64_t>(reading->sysclock - magic);
  if (reading->leap_second) posix -= 1;  // shown as 23:59:59 + 1 of the day before
  std::int64_t days = posix / day;
  if (posix % day < 0) days -= 1;
  const std::int64_t seconds = posix - days * day;
  Civil time = date_from_days(days);
  time.hour = static_cast<int>(seconds / 3600);
  time.minute = static_cast<int>((seconds % 3600) / 60);
  time.second = static_cast<int>(seconds % 60) + (reading->leap_second ? 1 : 0);
  time.nano = nano;
  return {time, std::nullopt};
}

struct LabelResult {
  std::optional<std::uint64_t> label;
  std::optional<CalendarError> error;
};

// LEAP-005, calendar to label.
inline LabelResult tain_from_utc_time(const Civil& t, const LeapList& leaps) {
  if (t.year < -200'000'000'000 || t.year > 200'000'000'000) return {std::nullopt, CalendarError::out_of_range};
  const bool fields_ok = t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= month_length(t.year, t.month) &&
                         t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 &&
                         t.second <= 60 && t.nano < 1'000'000'000;
  if (!fields_ok) return {std::nullopt, CalendarError::invalid_field};
  const std::int64_t start_of_day = days_since_1970(t.year, t.month, t.day) * day;
  std::int64_t offset = 0;  // label - 2^62, as a signed number
  if (t.second == 60) {
    bool listed = false;
    for (const std::int64_t midnight : leaps) listed = listed || midnight == start_of_day + day;
    if (t.hour != 23 || t.minute != 59 || !listed) return {std::nullopt, CalendarError::not_a_leap_second};
    offset = start_of_day + day + 10 + static_cast<std::int64_t>(leaps_up_to(start_of_day + day, leaps)) - 1;
  } else {
    const std::int64_t posix = start_of_day + t.hour * 3600 + t.minute * 60 + t.second;
    offset = posix + 10 + static_cast<std::int64_t>(leaps_up_to(posix, leaps));
  }
  const std::int64_t limit = std::int64_t{1} << 62;
  if (offset < -limit || offset >= limit) return {std::nullopt, CalendarError::out_of_range};
  return {magic + static_cast<std::uint64_t>(offset), std::nullopt};
}

enum class TableError { out_of_order, malformed, unsupported };

struct TableCheck {
  std::optional<TableError> error;  // none: a valid table
  std::size_t entry = 0;            // 1-based entry at fault
};

// LEAP-006: entry by entry, order first, then the midnight, then TAI - UTC = 11, 12, ...
inline TableCheck check_table(const std::vector<std::int64_t>& midnights, const std::vector<int>& tai_minus_utc) {
  const std::int64_t jan_1972 = 63'072'000;
  const std::int64_t latest = (std::int64_t{1} << 40) - 2'208'988'800;  // NTP 2^40
  for (std::size_t i = 0; i < midnights.size(); ++i) {
    const std::int64_t previous = i == 0 ? jan_1972 : midnights[i - 1];
    if (midnights[i] <= previous) return {TableError::out_of_order, i + 1};
    const bool month_start = midnights[i] % day == 0 && date_from_days(midnights[i] / day).day == 1;
    if (midnights[i] > latest || !month_start) return {TableError::malformed, i + 1};
    if (tai_minus_utc[i] != 11 + static_cast<int>(i)) return {TableError::unsupported, i + 1};
  }
  return {};
}

// LEAP-010.
inline bool expired_at(std::optional<std::int64_t> expires, std::int64_t now) { return expires && now >= *expires; }

}  // namespace refloop::model
