// SPDX-License-Identifier: ISC
// PLACEHOLDER until the leap-second work lands: the compiled-in table and tai_from_utc only.
#include "refloop/time/leap.hpp"

#include <mutex>

namespace refloop {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::vector<LeapSecond> builtin_leaps() {
  // The first day after each inserted 23:59:60.
  static constexpr struct { int y; unsigned m, d; } days[] = {
      {1972, 7, 1}, {1973, 1, 1}, {1974, 1, 1}, {1975, 1, 1}, {1976, 1, 1}, {1977, 1, 1},
      {1978, 1, 1}, {1979, 1, 1}, {1980, 1, 1}, {1981, 7, 1}, {1982, 7, 1}, {1983, 7, 1},
      {1985, 7, 1}, {1988, 1, 1}, {1990, 1, 1}, {1991, 1, 1}, {1992, 7, 1}, {1993, 7, 1},
      {1994, 7, 1}, {1996, 1, 1}, {1997, 7, 1}, {1999, 1, 1}, {2006, 1, 1}, {2009, 1, 1},
      {2012, 7, 1}, {2015, 7, 1}, {2017, 1, 1}};
  std::vector<LeapSecond> leaps;
  int offset = 10;
  for (const auto& day : days) leaps.push_back({days_from_civil(day.y, day.m, day.d) * 86400, ++offset});
  return leaps;
}

}  // namespace

const LeapTable& LeapTable::builtin() {
  static const LeapTable table(builtin_leaps(), std::nullopt);
  return table;
}

std::shared_ptr<const LeapTable> leap_table_in_use() {
  static const std::shared_ptr<const LeapTable> table(std::shared_ptr<const LeapTable>{}, &LeapTable::builtin());
  return table;
}

tai tai_from_utc(std::int64_t posix_seconds, const LeapTable& table) {
  std::uint64_t label = tai_magic + 10 + static_cast<std::uint64_t>(posix_seconds);
  for (const LeapSecond& leap : table.leaps())
    if (posix_seconds >= leap.posix_midnight) ++label;
  return tai{label};
}

tai tai_from_utc(std::int64_t posix_seconds) { return tai_from_utc(posix_seconds, *leap_table_in_use()); }

}  // namespace refloop
