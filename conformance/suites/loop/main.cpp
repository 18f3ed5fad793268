// SPDX-License-Identifier: ISC
// refloop-conformance: runs the case files of conformance/cases/loop/ (and, in the ivykis runners,
// cases/ivapi/) against implementations of the ivykis loop semantics, each case in a child
// process (isolation.cpp), and reports through driver.hpp: TAP on stdout, optionally JUnit XML,
// a markdown matrix and a results file. The exit status is non-zero on any unexpected result: a
// failure not listed in conformance/expectations/<implementation>.txt, or a listed one that passes.
// `--list-backends` prints the backends refloop compiled, one a line (refloop::compiled_backends),
// so ci/conformance never names them.
#include <cstdio>
#include <string_view>

#include "case_file.hpp"
#include "columns.hpp"
#include "driver.hpp"
#include "isolated_case.hpp"
#include "refloop/loop/loop.hpp"

int main(int argc, char** argv) {
  using namespace refloop::conformance;
  using namespace refloop::conformance::loop_suite;
  if (argc == 2 && std::string_view(argv[1]) == "--list-backends") {
    for (std::string_view name : refloop::compiled_backends())
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return 0;
  }
  RunnerOptions options;
  options.program = "refloop-conformance";
  options.cases = REFLOOP_CONFORMANCE_CASES;
  options.expectations = REFLOOP_CONFORMANCE_DIR "/expectations";
  if (!parse_runner_options(argc, argv, options)) return runner_usage(options, "bad arguments");
  return run_suite<Case, Column>(
      options, [](const std::string& path) { return load_case(path); },
      [](const RunnerOptions& o, std::string& error) { return available_columns(o.impl, o.backend, error); },
      [](const Case& c, const Column& column) { return run_case_isolated(c, column); });
}
