// SPDX-License-Identifier: ISC
// What the case-reader fuzz targets share: the input as a stream under a fixed name, and the
// checks on a refusal (it names the file and, when it is about one line, a line inside the input).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "case_error.hpp"

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

// A refusal (framework/case_error.hpp) names the file, a reason and, when it is about one line,
// a line of the input (0: the whole file).
inline void check_refusal(const conformance::CaseError& error, const std::string& input, const char* target) {
  require(error.path == case_name, target, "a refusal that does not name the file");
  require(!error.message.empty(), target, "a refusal without a message");
  require(error.line <= line_count(input), target, "a refusal names a line outside the input");
}

}  // namespace refloop::fuzz
