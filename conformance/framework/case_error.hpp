// SPDX-License-Identifier: ISC
// The one way a suite's case reader (loop, iopause, tai) says a case file is wrong: the file, the
// line (0 when the problem is the whole file: it cannot be opened, it cites no requirement) and
// what is wrong. Standard library only, so the readers built into runners against Debian's
// headers share it.
#pragma once

#include <cstddef>
#include <string>

namespace refloop::conformance {

struct CaseError {
  std::string path;
  std::size_t line = 0;
  std::string message;

  // "cases/loop/FD-007-1.case:12: bad end 'c9z'", or "PATH: message" for the whole file.
  [[nodiscard]] std::string text() const {
    return path + (line == 0 ? "" : ":" + std::to_string(line)) + ": " + message;
  }
};

}  // namespace refloop::conformance
