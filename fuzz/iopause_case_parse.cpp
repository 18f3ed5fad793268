// SPDX-License-Identifier: ISC
// Fuzz target: the iopause suite's case reader (conformance/iopause/iopause_case.cpp). Any input
// is a case with operations on lines of the input, or a std::runtime_error naming the file (and
// the line); any other exception is a defect (an unchecked substr, stoi, ...).
#include <sstream>
#include <stdexcept>

#include "case_fuzz.hpp"
#include "iopause_case.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop::conformance::iopause_suite;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  try {
    const Case c = parse_case(in, refloop::fuzz::case_name);
    refloop::fuzz::require(!c.ops.empty(), "iopause_case_parse", "a case without operations");
    for (const Op& op : c.ops)
      refloop::fuzz::require(op.line >= 1 && op.line <= refloop::fuzz::line_count(input), "iopause_case_parse",
                             "an operation outside the input");
  } catch (const std::runtime_error& e) {
    refloop::fuzz::check_refusal(e.what(), input, "iopause_case_parse");
  }
  return 0;
}
