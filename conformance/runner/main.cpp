// SPDX-License-Identifier: ISC
// refloop-conformance: runs the case files of conformance/cases/loop/ (and, in the ivykis runners,
// cases/ivapi/) against implementations of the
// ivykis loop semantics and reports TAP (stdout), optionally JUnit XML and a markdown matrix. The
// exit status is non-zero on any unexpected result: a failure not listed in
// conformance/expectations/<implementation>.txt, or a listed one that passes.
//   refloop-conformance [--impl all|refloop|model] [--backend NAME] [--cases DIR[:DIR...]]
//                       [--expectations DIR] [--junit FILE] [--matrix FILE] [--results FILE]
//   refloop-conformance --from-results FILE [--junit FILE] [--matrix FILE]
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "columns.hpp"
#include "isolation.hpp"
#include "loop/ops_text.hpp"
#include "results.hpp"

namespace refloop::conformance {
namespace {

struct Options {
  std::string impl = "all";
  std::string backend;
  std::string cases = REFLOOP_CONFORMANCE_CASES;  // folders, separated by ':'

  std::string expectations = REFLOOP_CONFORMANCE_DIR "/expectations";
  std::string junit;
  std::string matrix;
  std::string results;       // append every result to this file
  std::string from_results;  // report the results in this file instead of running cases
};

int usage(const char* problem) {
  std::fprintf(stderr,
               "refloop-conformance: %s\nusage: refloop-conformance [--impl all|refloop|model] "
               "[--backend NAME] [--cases DIR[:DIR...]] [--expectations DIR] [--junit FILE] [--matrix FILE] [--results FILE]\n"
               "       refloop-conformance --from-results FILE [--junit FILE] [--matrix FILE]\n",
               problem);
  return 2;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string* target = arg == "--impl" ? &options.impl : arg == "--backend" ? &options.backend
                        : arg == "--cases" ? &options.cases : arg == "--expectations" ? &options.expectations
                        : arg == "--junit" ? &options.junit : arg == "--matrix" ? &options.matrix
                        : arg == "--results" ? &options.results : arg == "--from-results" ? &options.from_results
                        : nullptr;
    if (target == nullptr || i + 1 == argc) return false;
    *target = argv[++i];
  }
  return true;
}

// Applies the implementation's known deviations to a raw result.
Result judged(Result result, const Deviations& deviations) {
  const std::string* reason = deviation_reason(deviations, result.case_id, result.column);
  if (reason == nullptr) return result;
  if (result.status == Status::fail) return Result{result.column, result.case_id, result.summary, Status::known_deviation, *reason};
  if (result.status == Status::pass) return Result{result.column, result.case_id, result.summary, Status::unexpected_pass, *reason};
  return result;
}

Expected<std::vector<Case>, std::string> load_cases(const std::string& folders) {
  std::vector<std::string> paths;
  std::istringstream list(folders);
  for (std::string folder; std::getline(list, folder, ':');) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
      if (entry.path().extension() == ".case") paths.push_back(entry.path().string());
    if (error) return Unexpected(folder + ": " + error.message());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Case> cases;
  for (const std::string& path : paths) {
    auto loaded = load_case(path);
    if (!loaded) return Unexpected(loaded.error());
    cases.push_back(*loaded);
  }
  if (cases.empty()) return Unexpected(folders + ": no .case files");
  return cases;
}

int report(const Options& options, const std::vector<Result>& results) {
  write_tap(results);
  if (!options.results.empty() && !append_results(results, options.results)) return usage("cannot write the results file");
  if (!options.junit.empty() && !write_junit(results, options.junit)) return usage("cannot write the JUnit file");
  if (!options.matrix.empty() && !write_matrix(results, options.matrix)) return usage("cannot write the matrix file");
  const bool bad = std::any_of(results.begin(), results.end(), [](const Result& r) { return unexpected(r.status); });
  return bad ? 1 : 0;
}

int run(const Options& options) {
  if (!options.from_results.empty()) {
    const std::vector<Result> results = read_results(options.from_results);
    if (results.empty()) return usage("no results in the --from-results file");
    return report(Options{options.impl, options.backend, options.cases, options.expectations, options.junit,
                          options.matrix, "", ""}, results);
  }
  const auto cases = load_cases(options.cases);
  if (!cases) {
    std::fprintf(stderr, "refloop-conformance: %s\n", cases.error().c_str());
    return 2;
  }
  std::string error;
  const std::vector<Column> columns = available_columns(options.impl, options.backend, error);
  if (columns.empty()) return usage(error.c_str());
  std::vector<Result> results;
  for (const Column& column : columns) {
    const Deviations deviations = load_deviations(options.expectations + "/" + column.implementation + ".txt");
    for (const Case& c : *cases) results.push_back(judged(run_case_isolated(c, column), deviations));
  }
  return report(options, results);
}

}  // namespace
}  // namespace refloop::conformance

int main(int argc, char** argv) {
  refloop::conformance::Options options;
  if (!refloop::conformance::parse_options(argc, argv, options)) return refloop::conformance::usage("bad arguments");
  return refloop::conformance::run(options);
}
