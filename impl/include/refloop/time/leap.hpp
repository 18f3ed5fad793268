// SPDX-License-Identifier: ISC
// Leap seconds: the compiled-in table, the loader for IERS/NIST leap-seconds.list files, and the
// UTC <-> TAI conversions built on the table in use. Requirements: spec/time.md, section LEAP.
//
// The conversions use skalibs' convention: label = 2^62 + 10 + posix + (number of leap seconds
// inserted at or before posix), a constant 10 s before 1972. Every conversion exists twice: one
// form uses the table in use (builtin() until a file is loaded), the other a table it is given.
#pragma once

#include <cstddef>
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

// Why a leap-seconds.list file (or a list of leap seconds) was refused. [LEAP-007]
enum class LeapFileErrc {
  malformed,     // not the IERS/NIST syntax, a field out of range, a required line missing or doubled
  out_of_order,  // a data line not strictly later than the one before it
  unsupported,   // well formed, but not expressible by the skalibs formula (not +1 s steps, ...)
  tampered,      // the #h SHA-1 does not match the data
  unreadable,    // the file could not be opened or read (message says why)
};
const char* describe(LeapFileErrc code);

struct LeapFileError {
  LeapFileErrc code = LeapFileErrc::malformed;
  std::size_t line = 0;  // 1-based line of the input at fault; 0 when no single line is
  std::string message;   // human readable, names the line ("line 42: ...")
};

class LeapTable {
 public:
  // [LEAP-001] The 27 leap seconds from 1972-06-30 to 2016-12-31, compiled in. No expiry.
  static const LeapTable& builtin();

  // [LEAP-006] Checks the list as a file's data lines are checked (each a month's first
  // midnight, strictly increasing, TAI - UTC 11, 12, 13, ...); `line` in an error is the
  // 1-based index of the offending entry.
  static Expected<LeapTable, LeapFileError> create(std::vector<LeapSecond> leaps,
                                                   std::optional<std::int64_t> expires_posix);

  [[nodiscard]] const std::vector<LeapSecond>& leaps() const { return leaps_; }
  // When the source file says its data stops being valid (POSIX seconds); none for builtin().
  [[nodiscard]] std::optional<std::int64_t> expires_posix() const { return expires_posix_; }
  // [LEAP-010] True when the table has an expiry and `posix_now` is at or after it.
  [[nodiscard]] bool expired_at(std::int64_t posix_now) const;

 private:
  LeapTable(std::vector<LeapSecond> leaps, std::optional<std::int64_t> expires_posix)
      : leaps_(std::move(leaps)), expires_posix_(expires_posix) {}
  std::vector<LeapSecond> leaps_;
  std::optional<std::int64_t> expires_posix_;
};

// [LEAP-002] The table every conversion below uses unless given another: builtin() until a file
// is loaded or a table installed. Thread-safe: readers get a snapshot that stays valid.
std::shared_ptr<const LeapTable> leap_table_in_use();
// Replaces the table in use atomically (nullptr means builtin()).
void install_leap_table(std::shared_ptr<const LeapTable> table);
void reset_leap_table_to_builtin();

// [LEAP-003] UTC (POSIX seconds, which never name a 23:59:60) to a TAI64 label. Total: the sum
// is taken modulo 2^64, as skalibs does.
tai tai_from_utc(std::int64_t posix_seconds);
tai tai_from_utc(std::int64_t posix_seconds, const LeapTable& table);

// Why a UTC <-> TAI conversion was refused.
enum class LeapErrc {
  label_below_10,     // utc_from_tai of a label < 10 (skalibs: EINVAL)
  reserved_label,     // a label >= 2^63 where a calendar time is wanted
  invalid_field,      // a calendar field out of its range (month 13, 31 April, 24:00, ...)
  not_a_leap_second,  // 23:59:60 on a day the table has no leap second for
  out_of_range,       // the result does not fit (label outside [0, 2^63), year beyond +-2*10^11)
};
const char* describe(LeapErrc error);

// [LEAP-004] skalibs' utc_from_tai: `sysclock` is 2^62 + POSIX seconds (modulo 2^64); a leap
// second itself folds onto the following midnight and sets `leap_second` (skalibs returns 2).
struct UtcReading {
  std::uint64_t sysclock = 0;
  bool leap_second = false;
  [[nodiscard]] std::int64_t posix() const { return static_cast<std::int64_t>(sysclock - tai_magic); }
  friend bool operator==(const UtcReading&, const UtcReading&) = default;
};
Expected<UtcReading, LeapErrc> utc_from_tai(const tai& label);
Expected<UtcReading, LeapErrc> utc_from_tai(const tai& label, const LeapTable& table);

// Broken-down UTC, proleptic Gregorian calendar, with the leap second as second 60.
struct UtcTime {
  std::int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..length of the month
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..60; 60 only for a leap second of the table
  std::uint32_t nano = 0;  // 0..999'999'999
  friend bool operator==(const UtcTime&, const UtcTime&) = default;
};

// [LEAP-005] Calendar <-> tain. 23:59:60 of a leap day maps to the leap second's own label and
// back; 23:59:60 on any other day is refused (not_a_leap_second). From-tain refuses labels < 10
// (label_below_10) and >= 2^63 (reserved_label); to-tain refuses labels outside [0, 2^63).
Expected<tain, LeapErrc> tain_from_utc_time(const UtcTime& utc);
Expected<tain, LeapErrc> tain_from_utc_time(const UtcTime& utc, const LeapTable& table);
Expected<UtcTime, LeapErrc> utc_time_from_tain(const tain& label);
Expected<UtcTime, LeapErrc> utc_time_from_tain(const tain& label, const LeapTable& table);

// [LEAP-006..009] Parses the IERS/NIST leap-seconds.list format (as Debian's tzdata ships it in
// /usr/share/zoneinfo): checks syntax, order and the #h SHA-1. Never touches the table in use.
Expected<LeapTable, LeapFileError> parse_leap_seconds_list(std::string_view text);

// [LEAP-011] Reads and parses `path`; on success installs the table (atomically) and returns it,
// on any failure leaves the table in use unchanged. An expired file still loads (LEAP-010).
Expected<std::shared_ptr<const LeapTable>, LeapFileError> load_leap_seconds_file(const std::string& path);

// [LEAP-012] Writes `table` in the leap-seconds.list format with a correct #h line, so that
// parse_leap_seconds_list gives back the same leaps and expiry `expires_posix`.
std::string format_leap_seconds_list(const LeapTable& table, std::int64_t updated_posix,
                                     std::int64_t expires_posix);

}  // namespace refloop
