// SPDX-License-Identifier: ISC
// Fuzz target: the loop suite's case reader (conformance/suites/loop/case_file.cpp): the operation
// vocabulary's text form plus probes (`! name target`), expectations (`# expect: ...`) and
// citations. Any input is a case whose steps lie on lines of the input and which cites a
// requirement, or a refusal naming the file (and the line, when one line is at fault).
#include <sstream>

#include "case_file.hpp"
#include "case_fuzz.hpp"
#include "loop/ops_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop::conformance::loop_suite;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  const auto parsed = parse_case(in, refloop::fuzz::case_name);
  if (!parsed) {
    refloop::fuzz::check_refusal(parsed.error(), input, "loop_case_parse");
    return 0;
  }
  refloop::fuzz::require(parsed->id == "FUZZ-001-1", "loop_case_parse", "the id is not the file's stem");
  refloop::fuzz::require(!parsed->requirements.empty(), "loop_case_parse", "a case that cites nothing");
  for (const Step& step : parsed->steps) {
    refloop::fuzz::require(step.line >= 1 && step.line <= refloop::fuzz::line_count(input), "loop_case_parse",
                           "a step outside the input");
    if (!step.probe) (void)refloop::model::loop::format_op(step.op);
    if (step.fatal) refloop::fuzz::require(!step.fatal->any_of.empty(), "loop_case_parse", "a fatal expectation without texts");
    if (step.expect) refloop::fuzz::require(!step.probe, "loop_case_parse", "a run expectation on a probe");
  }
  return 0;
}
