// SPDX-License-Identifier: ISC
// What the case-reader fuzz targets share: the input as a stream under a fixed name, and the
// checks on a refusal (it names the file and, when it is about one line, a line inside the input).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace refloop::fuzz {

inline constexpr const char* case_name = "fuzz/FUZZ-001-1.case";

inline void require(bool ok, const char* target, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "%s: %s\n", target, what);
    std::abort();
  }
}

inline std::size_t line_count(const std::string& input) {
  return 1 + static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n'));
}

// A refusal starts with the file name; "NAME:N: ..." names a line N of the input.
inline void check_refusal(const std::string& message, const std::string& input, const char* target) {
  const std::string prefix = std::string(case_name) + ":";
  require(message.rfind(prefix, 0) == 0, target, "a refusal that does not name the file");
  const std::size_t digits = message.find_first_not_of("0123456789", prefix.size());
  if (digits == prefix.size() || digits == std::string::npos || message[digits] != ':') return;
  const unsigned long line = std::stoul(message.substr(prefix.size(), digits - prefix.size()));
  require(line >= 1 && line <= line_count(input), target, "a refusal names a line outside the input");
}

}  // namespace refloop::fuzz
