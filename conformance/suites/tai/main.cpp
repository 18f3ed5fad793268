// SPDX-License-Identifier: ISC
// refloop-conformance-tai (and its C API twins): runs the case files of conformance/cases/tai/
// against the columns this executable offers and reports TAP on stdout, optionally JUnit XML, a
// markdown matrix and a results file, through the reporting library the loop runner uses. The
// exit status is non-zero on any unexpected result: a failure not listed in
// conformance/expectations/<implementation>.txt, or a listed one that passes. Options and
// reporting are every runner's (framework/driver.hpp).
#include <exception>
#include <string>

#include "driver.hpp"
#include "results.hpp"
#include "tai_adapter.hpp"

namespace refloop::conformance::tai_suite {
namespace {

// Runs one case on a fresh adapter: PASS, FAIL at the first wrong result, or N/A.
Result run_case(const Case& c, const Column& column) {
  auto result = [&](Status status, std::string detail) { return Result{column.name, c.id, c.summary, status, std::move(detail)}; };
  if (c.c_api && !column.c_api)
    return result(Status::not_applicable, "the case states the C API's behaviour (TAICOMPAT); this column is not a C API");
  if (!c.cpp_api_only.empty() && column.c_api)
    return result(Status::not_applicable, "the case states the C++ API's strict behaviour: " + c.cpp_api_only);
  try {
    const auto adapter = column.make();
    for (const Step& step : c.steps)
      if (const auto why = adapter->not_applicable(step.op)) return result(Status::not_applicable, "line " + std::to_string(step.line) + ": " + *why);
    for (const Step& step : c.steps) {
      const Outcome actual = adapter->perform(step.op);
      if (auto why = mismatch(*step.expect, actual))
        return result(Status::fail, "line " + std::to_string(step.line) + " (" + step.op.source + "): " + *why);
    }
  } catch (const std::exception& e) {
    return result(Status::fail, std::string("exception: ") + e.what());
  }
  return result(Status::pass, "");
}

}  // namespace
}  // namespace refloop::conformance::tai_suite

int main(int argc, char** argv) {
  using namespace refloop::conformance;
  RunnerOptions options;
  options.program = "refloop-conformance-tai";
  options.cases = REFLOOP_CONFORMANCE_DIR "/cases/tai";
  options.expectations = REFLOOP_CONFORMANCE_DIR "/expectations";
  if (!parse_runner_options(argc, argv, options)) return runner_usage(options, "bad arguments");
  if (!options.adapter.empty() || options.serve) return runner_usage(options, "--adapter and --serve are the loop suite's");
  using tai_suite::Case;
  using tai_suite::Column;
  return run_suite<Case, Column>(
      options,
      [](const std::string& path) { return tai_suite::load_case(path); },
      [](const RunnerOptions& o, std::string& error) { return tai_suite::available_columns(o.impl, error); },
      [](const Case& c, const Column& column) { return tai_suite::run_case(c, column); });
}
