// SPDX-License-Identifier: ISC
// The leap-second table: the compiled-in list, the checks every table passes, the table in use
// (swapped atomically under a mutex), and the calendar arithmetic the conversions share.
// Requirements: spec/time.md, LEAP-001, LEAP-002, LEAP-006, LEAP-010.
#include <mutex>
#include <string>

#include "leap_internal.hpp"
#include "refloop/time/leap.hpp"

namespace refloop {

namespace detail {

bool is_leap_year(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
  static constexpr int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) return 29;
  return lengths[month - 1];
}

// Counts in 400-year eras (146'097 days each) from a year starting on 1 March, so the leap day
// is the last day of the shifted year and month lengths follow a regular pattern.
std::int64_t days_from_civil(const CivilDate& date) {
  const std::int64_t year = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;                          // 0..399
  const std::int64_t shifted_month = (date.month + 9) % 12;                   // March = 0
  const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + date.day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;  // 719'468: days from 0000-03-01 to 1970-01-01
}

CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t shifted = days + 719'468;
  const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146'096) / 146'097;
  const std::int64_t day_of_era = shifted - era * 146'097;  // 0..146'096
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  CivilDate date;
  date.day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  date.month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

namespace {

// The latest instant a table entry may name: NTP 2^40 (about the year 36'800). Keeps every sum
// in the conversions far from overflow, and no real file comes near it.
constexpr std::int64_t latest_leap_posix = (std::int64_t{1} << 40) - ntp_to_posix_offset;
constexpr std::int64_t posix_1972 = ntp_1972 - ntp_to_posix_offset;

LeapFileError entry_error(LeapFileErrc code, std::size_t index, const std::string& what) {
  return {code, index + 1, "entry " + std::to_string(index + 1) + ": " + what};
}

}  // namespace

// implements: LEAP-006
std::optional<LeapFileError> check_leaps(const std::vector<LeapSecond>& leaps, std::size_t& bad_index) {
  std::int64_t previous = posix_1972;
  for (std::size_t i = 0; i < leaps.size(); ++i) {
    bad_index = i;
    const LeapSecond& leap = leaps[i];
    if (leap.posix_midnight <= previous)
      return entry_error(LeapFileErrc::out_of_order, i, "not later than the entry before it (or 1972-01-01)");
    if (leap.posix_midnight > latest_leap_posix)
      return entry_error(LeapFileErrc::malformed, i, "later than NTP time 2^40");
    if (leap.posix_midnight % seconds_per_day != 0 ||
        civil_from_days(leap.posix_midnight / seconds_per_day).day != 1)
      return entry_error(LeapFileErrc::malformed, i, "not 00:00:00 UTC on the first day of a month");
    const int expected = tai_minus_utc_before_first_leap + 1 + static_cast<int>(i);
    if (leap.tai_minus_utc != expected)
      return entry_error(LeapFileErrc::unsupported, i,
                         "TAI-UTC must be " + std::to_string(expected) + " (only inserted leap seconds, one per entry)");
    previous = leap.posix_midnight;
  }
  return std::nullopt;
}

}  // namespace detail

namespace {

std::vector<LeapSecond> builtin_leaps() {
  // The first day after each inserted 23:59:60, 1972-06-30 to 2016-12-31.
  static constexpr struct { int y, m; } months[] = {
      {1972, 7}, {1973, 1}, {1974, 1}, {1975, 1}, {1976, 1}, {1977, 1}, {1978, 1},
      {1979, 1}, {1980, 1}, {1981, 7}, {1982, 7}, {1983, 7}, {1985, 7}, {1988, 1},
      {1990, 1}, {1991, 1}, {1992, 7}, {1993, 7}, {1994, 7}, {1996, 1}, {1997, 7},
      {1999, 1}, {2006, 1}, {2009, 1}, {2012, 7}, {2015, 7}, {2017, 1}};
  std::vector<LeapSecond> leaps;
  int offset = detail::tai_minus_utc_before_first_leap;
  for (const auto& month : months)
    leaps.push_back({detail::days_from_civil({month.y, month.m, 1}) * detail::seconds_per_day, ++offset});
  return leaps;
}

struct TableInUse {
  std::mutex mutex;
  std::shared_ptr<const LeapTable> table;
};

TableInUse& table_in_use() {
  static TableInUse state;
  return state;
}

// A non-owning pointer to the static builtin table, so "reset" never allocates.
std::shared_ptr<const LeapTable> builtin_pointer() {
  return std::shared_ptr<const LeapTable>(std::shared_ptr<const LeapTable>{}, &LeapTable::builtin());
}

}  // namespace

const char* describe(LeapFileErrc code) {
  switch (code) {
    case LeapFileErrc::malformed: return "malformed leap-seconds.list";
    case LeapFileErrc::out_of_order: return "leap seconds out of order";
    case LeapFileErrc::unsupported: return "leap-second data refloop cannot represent";
    case LeapFileErrc::tampered: return "#h SHA-1 does not match the data (file damaged or edited)";
    case LeapFileErrc::unreadable: return "leap-seconds.list could not be read";
  }
  return "unknown leap-file error";
}

const char* describe(LeapErrc error) {
  switch (error) {
    case LeapErrc::label_below_10: return "TAI64 label below 10 has no UTC reading";
    case LeapErrc::reserved_label: return "TAI64 label at or above 2^63 is reserved";
    case LeapErrc::invalid_field: return "calendar field out of range";
    case LeapErrc::not_a_leap_second: return "23:59:60 on a day without a leap second";
    case LeapErrc::out_of_range: return "result out of range";
  }
  return "unknown leap conversion error";
}

const LeapTable& LeapTable::builtin() {
  static const LeapTable table(builtin_leaps(), std::nullopt);
  return table;
}

// implements: LEAP-006
Expected<LeapTable, LeapFileError> LeapTable::create(std::vector<LeapSecond> leaps,
                                                     std::optional<std::int64_t> expires_posix) {
  std::size_t bad_index = 0;
  if (auto error = detail::check_leaps(leaps, bad_index)) return Unexpected{std::move(*error)};
  return LeapTable(std::move(leaps), expires_posix);
}

// implements: LEAP-010
bool LeapTable::expired_at(std::int64_t posix_now) const {
  return expires_posix_.has_value() && posix_now >= *expires_posix_;
}

// implements: LEAP-002
std::shared_ptr<const LeapTable> leap_table_in_use() {
  TableInUse& state = table_in_use();
  const std::lock_guard lock(state.mutex);
  if (!state.table) state.table = builtin_pointer();
  return state.table;
}

void install_leap_table(std::shared_ptr<const LeapTable> table) {
  if (!table) table = builtin_pointer();
  TableInUse& state = table_in_use();
  const std::lock_guard lock(state.mutex);
  state.table.swap(table);
  // The old table (now in `table`) is released after the lock, outside the critical section.
}

void reset_leap_table_to_builtin() { install_leap_table(nullptr); }

}  // namespace refloop
