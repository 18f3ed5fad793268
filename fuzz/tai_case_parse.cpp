// SPDX-License-Identifier: ISC
// Fuzz target: the tai suite's case reader (conformance/suites/tai/tai_case.cpp). Any input is a case
// whose every operation has its `# expect:` line, or a refusal naming the file (and the line).
#include <sstream>

#include "case_fuzz.hpp"
#include "tai_case.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop::conformance::tai_suite;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  const auto parsed = parse_case(in, refloop::fuzz::case_name);
  if (!parsed) {
    refloop::fuzz::check_refusal(parsed.error(), input, "tai_case_parse");
    return 0;
  }
  for (const Step& step : parsed->steps)
    refloop::fuzz::require(step.expect.has_value(), "tai_case_parse", "an operation without its expectation");
  return 0;
}
