// SPDX-License-Identifier: ISC
// Text helpers every suite's case reader shares (loop, iopause, tai): trimming a line, a case's
// id from its file name, and the `[req:AREA-NNN]` citations a case header makes (counted by
// ci/traceability and kept with each case).
#pragma once

#include <string>
#include <vector>

namespace refloop::conformance {

// The line without leading and trailing blanks (spaces, tabs, a carriage return).
std::string trimmed(const std::string& line);
// `.../FD-007-1.case` -> `FD-007-1`.
std::string case_id_of(const std::string& path);
// Appends every well-formed `[req:AREA-NNN]` in the text.
void collect_citations(const std::string& text, std::vector<std::string>& into);

}  // namespace refloop::conformance
