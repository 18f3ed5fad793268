// SPDX-License-Identifier: ISC
// The tai suite's case files (conformance/suites/tai/README.md): one operation per line on the external
// forms and conversions of spec/time.md (LABEL, the conversion parts of TAI/TAIN, LEAP, and the
// C API's TAICOMPAT quirks), each followed by a `# expect:` line stating its result. This header
// is the vocabulary shared by the runner and every adapter; it depends on nothing of refloop, so
// the adapter built against Debian's libskarnet links no refloop code.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "case_error.hpp"
#include "refloop/expected.hpp"

namespace refloop::conformance::tai_suite {

enum class Verb {
  pack, unpack, fmt, scan,                            // external forms (LABEL, TAICOMPAT-014..018)
  tai_from_utc, utc_from_tai, utc_time, from_utc_time,  // leap seconds (LEAP, TAICOMPAT-020/021)
  from_timespec, from_timespec_relative, from_timeval, from_timeval_relative,  // TAIN-010..012
  to_timespec, to_timespec_relative, to_timeval, to_timeval_relative,          // TAIN-010..013
  to_ms, from_ms,                                                              // TAIN-014
};

// tai64 = 8 bytes, tai64n = 12 (or 24 hex digits), tai64na = 16 (32 digits), timestamp = '@' +
// 24 digits; the _little forms are skalibs' byte-reversed binary forms (TAICOMPAT-015).
enum class Form { none, tai64, tai64n, tai64na, timestamp, tai64_little, tai64n_little };

// A calendar time as written in a case: fields are kept as given (month 13 is a valid input).
struct CivilTime {
  std::int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::uint32_t nano = 0;
};

struct Op {
  Verb verb = Verb::pack;
  Form form = Form::none;
  std::vector<std::uint64_t> numbers;  // every number of the line, modulo 2^64 (-1 is 2^64 - 1)
  std::vector<std::uint8_t> bytes;     // unpack's input
  std::string text;                    // scan's input (may hold any byte)
  CivilTime civil;                     // from_utc_time's input
  std::string source;                  // the line as written, for messages
  [[nodiscard]] std::uint64_t n(std::size_t i) const { return i < numbers.size() ? numbers[i] : 0; }
};

// What an operation gave. Numbers are compared modulo 2^64; signed results (timespec seconds,
// POSIX seconds) are stored as their two's complement.
struct Outcome {
  enum class Kind { bytes, text, value, label, sysclock, parts, ms, utc, error };
  Kind kind = Kind::error;
  std::string text;                     // bytes (lowercase hex), text, utc ("1972-06-30 23:59:60.000000000")
  std::vector<std::uint64_t> numbers;   // value, label, sysclock, parts, ms
  bool leap = false;                    // sysclock: the label is a leap second (skalibs returns 2)
  std::optional<std::uint64_t> consumed;  // value from unpack / scan
  std::string code;                     // error: refloop's reason (lowercase) or an errno name; "" unnamed
  std::optional<std::uint64_t> at;      // error: offset of the offending byte or character
};

struct Step {
  std::size_t line = 0;
  Op op;
  std::optional<Outcome> expect;
};

struct Case {
  std::string id;       // the file name without .case, e.g. LABEL-005-3
  std::string summary;  // the first comment line
  bool c_api = false;   // `# api: c`: the case states the C API's behaviour (TAICOMPAT)
  // `# api: c++ WHY`: the case states the C++ API's strict behaviour, which the C API deliberately
  // does not have (WHY names the TAICOMPAT requirement; a TAICOMPAT case checks the C behaviour).
  std::string cpp_api_only;
  std::vector<std::string> requirements;  // every [req:ID] in the file
  std::vector<Step> steps;
};

// Reads and parses one case file; the error names the file and line (framework/case_error.hpp).
Expected<Case, CaseError> load_case(const std::string& path);
// The same from a stream (fuzz/tai_case_parse.cpp); `path` names it in errors and gives the id.
Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path);
// Parses the text after `# expect:`; nullopt with `error` set when it is not a result.
std::optional<Outcome> parse_outcome(const std::string& text, std::string& error);

std::string format_outcome(const Outcome& outcome);
std::string hex_of(const std::vector<std::uint8_t>& bytes);
std::string format_civil(const CivilTime& t);  // "YYYY-MM-DD HH:MM:SS.nnnnnnnnn"
// Whether `actual` satisfies `expected`; nullopt if it does, else why not. An unnamed refusal, or
// an errno name where a refloop reason is expected (or the reverse), matches any refusal: the C
// API gives no reason, or gives errno, and both mean "refused, output untouched".
std::optional<std::string> mismatch(const Outcome& expected, const Outcome& actual);

// Helpers for adapters.
Outcome bytes_outcome(const std::vector<std::uint8_t>& bytes);
Outcome text_outcome(std::string text);
Outcome value_outcome(std::vector<std::uint64_t> numbers, std::optional<std::uint64_t> consumed = std::nullopt);
Outcome error_outcome(std::string code, std::optional<std::uint64_t> at = std::nullopt);
Outcome numbers_outcome(Outcome::Kind kind, std::vector<std::uint64_t> numbers);
const char* errno_name(int error);  // "EINVAL", "EOVERFLOW", ... or "errno?"

// The number of bytes of a binary form (8, 12, 16) and of digits of a text form (24, 25, 32).
std::size_t binary_size(Form form);
std::size_t text_size(Form form);

}  // namespace refloop::conformance::tai_suite
