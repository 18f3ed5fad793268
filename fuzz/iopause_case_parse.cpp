// SPDX-License-Identifier: ISC
// Fuzz target: the iopause suite's case reader (conformance/suites/iopause/iopause_case.cpp). Any
// input is a case with operations on lines of the input, or a CaseError naming the file (and the
// line); an exception escaping the reader is a defect.
#include <sstream>

#include "case_fuzz.hpp"
#include "iopause_case.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop::conformance::iopause_suite;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  const auto parsed = parse_case(in, refloop::fuzz::case_name);
  if (!parsed) {
    refloop::fuzz::check_refusal(parsed.error(), input, "iopause_case_parse");
    return 0;
  }
  refloop::fuzz::require(!parsed->ops.empty(), "iopause_case_parse", "a case without operations");
  for (const Op& op : parsed->ops)
    refloop::fuzz::require(op.line >= 1 && op.line <= refloop::fuzz::line_count(input), "iopause_case_parse",
                           "an operation outside the input");
  return 0;
}
