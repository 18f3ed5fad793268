// SPDX-License-Identifier: ISC
// refloop-conformance-tai (and its C API twins): runs the case files of conformance/cases/tai/
// against the columns this executable offers and reports TAP on stdout, optionally JUnit XML, a
// markdown matrix and a results file, through the reporting library the loop runner uses. The
// exit status is non-zero on any unexpected result: a failure not listed in
// conformance/expectations/<implementation>.txt, or a listed one that passes.
//   refloop-conformance-tai [--impl all|NAME] [--cases DIR] [--expectations DIR] [--junit FILE]
//                           [--matrix FILE] [--results FILE]
//   refloop-conformance-tai --from-results FILE [--junit FILE] [--matrix FILE]
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "results.hpp"
#include "tai_subject.hpp"

namespace refloop::conformance::taisuite {
namespace {

struct Options {
  std::string impl = "all";
  std::string cases = REFLOOP_CONFORMANCE_DIR "/cases/tai";
  std::string expectations = REFLOOP_CONFORMANCE_DIR "/expectations";
  std::string junit;
  std::string matrix;
  std::string results;       // append every result to this file
  std::string from_results;  // report the results in this file instead of running cases
};

int usage(const char* problem) {
  std::fprintf(stderr,
               "refloop-conformance-tai: %s\nusage: refloop-conformance-tai [--impl all|NAME] [--cases DIR] "
               "[--expectations DIR] [--junit FILE] [--matrix FILE] [--results FILE]\n"
               "       refloop-conformance-tai --from-results FILE [--junit FILE] [--matrix FILE]\n",
               problem);
  return 2;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string* target = arg == "--impl" ? &options.impl : arg == "--cases" ? &options.cases
                        : arg == "--expectations" ? &options.expectations : arg == "--junit" ? &options.junit
                        : arg == "--matrix" ? &options.matrix : arg == "--results" ? &options.results
                        : arg == "--from-results" ? &options.from_results : nullptr;
    if (target == nullptr || i + 1 == argc) return false;
    *target = argv[++i];
  }
  return true;
}

// Runs one case on a fresh adapter: PASS, FAIL at the first wrong result, or UNSUPPORTED.
Result run_case(const Case& c, const TaiColumn& column) {
  auto result = [&](Status status, std::string detail) { return Result{column.name, c.id, c.summary, status, std::move(detail)}; };
  if (c.c_api && !column.c_api)
    return result(Status::not_applicable, "the case states the C API's behaviour (TAICOMPAT); this column is not a C API");
  if (!c.cpp_api_only.empty() && column.c_api)
    return result(Status::not_applicable, "the case states the C++ API's strict behaviour: " + c.cpp_api_only);
  try {
    const auto subject = column.make();
    for (const Step& step : c.steps)
      if (const auto why = subject->unsupported(step.op)) return result(Status::not_applicable, "line " + std::to_string(step.line) + ": " + *why);
    for (const Step& step : c.steps) {
      const Outcome actual = subject->perform(step.op);
      if (auto why = mismatch(*step.expect, actual))
        return result(Status::fail, "line " + std::to_string(step.line) + " (" + step.op.source + "): " + *why);
    }
  } catch (const std::exception& e) {
    return result(Status::fail, std::string("exception: ") + e.what());
  }
  return result(Status::pass, "");
}

// Applies the implementation's known deviations to a raw result.
Result judged(Result result, const Deviations& deviations) {
  const std::string* reason = deviation_reason(deviations, result.case_id, result.column);
  if (reason == nullptr) return result;
  if (result.status == Status::fail) return Result{result.column, result.case_id, result.summary, Status::known_deviation, *reason};
  if (result.status == Status::pass) return Result{result.column, result.case_id, result.summary, Status::unexpected_pass, *reason};
  return result;
}

bool load_cases(const std::string& folder, std::vector<Case>& cases) {
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error))
    if (entry.path().extension() == ".case") paths.push_back(entry.path().string());
  if (error || paths.empty()) {
    std::fprintf(stderr, "refloop-conformance-tai: %s: %s\n", folder.c_str(), error ? error.message().c_str() : "no .case files");
    return false;
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    std::string why;
    auto loaded = load_case(path, why);
    if (!loaded) {
      std::fprintf(stderr, "refloop-conformance-tai: %s\n", why.c_str());
      return false;
    }
    cases.push_back(*loaded);
  }
  return true;
}

int report(const Options& options, const std::vector<Result>& results) {
  write_tap(results);
  if (!options.results.empty() && !append_results(results, options.results)) return usage("cannot write the results file");
  if (!options.junit.empty() && !write_junit(results, options.junit)) return usage("cannot write the JUnit file");
  if (!options.matrix.empty() && !write_matrix(results, options.matrix)) return usage("cannot write the matrix file");
  const bool bad = std::any_of(results.begin(), results.end(), [](const Result& r) { return unexpected(r.status); });
  return bad ? 1 : 0;
}

int run(Options options) {
  if (!options.from_results.empty()) {
    const std::vector<Result> results = read_results(options.from_results);
    if (results.empty()) return usage("no results in the --from-results file");
    options.results.clear();
    return report(options, results);
  }
  std::vector<Case> cases;
  if (!load_cases(options.cases, cases)) return 2;
  std::string error;
  const std::vector<TaiColumn> columns = available_columns(options.impl, error);
  if (columns.empty()) return usage(error.c_str());
  std::vector<Result> results;
  for (const TaiColumn& column : columns) {
    const Deviations deviations = load_deviations(options.expectations + "/" + column.implementation + ".txt");
    for (const Case& c : cases) results.push_back(judged(run_case(c, column), deviations));
  }
  return report(options, results);
}

}  // namespace
}  // namespace refloop::conformance::taisuite

int main(int argc, char** argv) {
  refloop::conformance::taisuite::Options options;
  if (!refloop::conformance::taisuite::parse_options(argc, argv, options)) return refloop::conformance::taisuite::usage("bad arguments");
  return refloop::conformance::taisuite::run(options);
}
