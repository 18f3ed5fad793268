// SPDX-License-Identifier: ISC
// Leap seconds: the compiled-in table, the loader for IERS/NIST leap-seconds.list files, and the
// UTC <-> TAI conversions built on the table in use. Requirements: spec/time.md, section LEAP.
//
// The conversions use skalibs' convention: label = 2^62 + 10 + posix + (number of leap seconds
// inserted at or before posix), a constant 10 s before 1972.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refloop/expected.hpp"
#include "refloop/time/tain.hpp"

namespace refloop {

// One inserted leap second: from `posix_midnight` (POSIX seconds of the 00:00:00 UTC that follows
// the 23:59:60) on, TAI - UTC is `tai_minus_utc` seconds.
struct LeapSecond {
  std::int64_t posix_midnight = 0;
  int tai_minus_utc = 0;
  friend bool operator==(const LeapSecond&, const LeapSecond&) = default;
};

class LeapTable {
 public:
  // [LEAP-001] The 27 leap seconds from 1972-06-30 to 2016-12-31, compiled in. No expiry.
  static const LeapTable& builtin();

  LeapTable(std::vector<LeapSecond> leaps, std::optional<std::int64_t> expires_posix)
      : leaps_(std::move(leaps)), expires_posix_(expires_posix) {}

  [[nodiscard]] const std::vector<LeapSecond>& leaps() const { return leaps_; }
  // When the source file says its data stops being valid (POSIX seconds); none for builtin().
  [[nodiscard]] std::optional<std::int64_t> expires_posix() const { return expires_posix_; }

 private:
  std::vector<LeapSecond> leaps_;
  std::optional<std::int64_t> expires_posix_;
};

// The table every conversion below uses unless given another: builtin() until a file is loaded.
std::shared_ptr<const LeapTable> leap_table_in_use();

// [LEAP-003] UTC (POSIX seconds, which never name a 23:59:60) to a TAI64 label.
tai tai_from_utc(std::int64_t posix_seconds);
tai tai_from_utc(std::int64_t posix_seconds, const LeapTable& table);

}  // namespace refloop
