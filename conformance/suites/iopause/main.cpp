// SPDX-License-Identifier: ISC
// The iopause conformance runners (conformance/suites/iopause/README.md): run the case files of
// conformance/cases/iopause/ against the columns this executable offers and report through the
// framework's driver (framework/driver.hpp): TAP on stdout, optionally JUnit XML, a markdown matrix and
// a results file. Non-zero exit on any unexpected result: a failure not listed in
// conformance/expectations/<implementation>.txt, or a listed one that passes.
#include <string>

#include "driver.hpp"
#include "iopause_adapter.hpp"
#include "iopause_judge.hpp"

int main(int argc, char** argv) {
  using namespace refloop::conformance;
  using iopause_suite::Case;
  using iopause_suite::Column;
  RunnerOptions options;
  options.program = REFLOOP_IOPAUSE_RUNNER;
  options.cases = REFLOOP_CONFORMANCE_DIR "/cases/iopause";
  options.expectations = REFLOOP_CONFORMANCE_DIR "/expectations";
  if (!parse_runner_options(argc, argv, options)) return runner_usage(options, "bad arguments");
  if (!options.adapter.empty() || options.serve) return runner_usage(options, "--adapter and --serve are the loop suite's");
  return run_suite<Case, Column>(
      options,
      [](const std::string& path) { return iopause_suite::load_case(path); },
      [](const RunnerOptions& o, std::string& error) { return iopause_suite::available_columns(o.impl, o.backend, error); },
      [](const Case& c, const Column& column) { return iopause_suite::run_case(c, column); });
}
