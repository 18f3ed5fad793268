// SPDX-License-Identifier: ISC
// See driver.hpp: the parts of a conformance runner that do not depend on its suite.
#include "driver.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace refloop::conformance {

bool parse_runner_options(int argc, char** argv, RunnerOptions& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string* target = arg == "--impl" ? &options.impl : arg == "--backend" ? &options.backend
                        : arg == "--cases" ? &options.cases : arg == "--expectations" ? &options.expectations
                        : arg == "--junit" ? &options.junit : arg == "--matrix" ? &options.matrix
                        : arg == "--results" ? &options.results : arg == "--from-results" ? &options.from_results
                        : arg == "--adapter" ? &options.adapter : arg == "--name" ? &options.name
                        : nullptr;
    if (arg == "--serve") {
      options.serve = true;
      continue;
    }
    if (target == nullptr || i + 1 == argc) return false;
    *target = argv[++i];
  }
  return true;
}

int runner_usage(const RunnerOptions& options, const std::string& problem) {
  const char* name = options.program.c_str();
  std::fprintf(stderr,
               "%s: %s\nusage: %s [--impl all|NAME] [--backend NAME] [--cases DIR[:DIR...]] [--expectations DIR]\n"
               "          [--junit FILE] [--matrix FILE] [--results FILE]\n"
               "       %s --from-results FILE [--junit FILE] [--matrix FILE]\n"
               "       %s --adapter 'COMMAND ARGS' --name NAME [...]   (loop suite)\n"
               "       %s --serve --impl NAME [--backend NAME]         (loop suite)\n",
               name, problem.c_str(), name, name, name, name);
  return 2;
}

Expected<std::vector<std::string>, std::string> case_paths(const std::string& folders) {
  std::vector<std::string> paths;
  std::istringstream list(folders);
  for (std::string folder; std::getline(list, folder, ':');) {
    std::error_code error;
    std::size_t found = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
      if (entry.path().extension() == ".case") {
        paths.push_back(entry.path().string());
        ++found;
      }
    if (error) return Unexpected{folder + ": " + error.message()};
    if (found == 0) return Unexpected{folder + ": no .case files"};
  }
  std::sort(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
    return std::filesystem::path(a).filename() < std::filesystem::path(b).filename();
  });
  return paths;
}

Result judged(Result result, const Deviations& deviations) {
  const std::string* reason = deviation_reason(deviations, result.case_id, result.column);
  if (reason == nullptr) return result;
  if (result.status == Status::fail) {  // the reason, and what this run saw
    result.status = Status::known_deviation;
    result.detail = *reason + " [" + result.detail + "]";
  } else if (result.status == Status::pass) {
    result.status = Status::unexpected_pass;
    result.detail = *reason;
  }
  return result;
}

int report_results(const RunnerOptions& options, const std::vector<Result>& results) {
  write_tap(results, options.implementations);
  write_causes(results);
  if (!options.results.empty() && !append_results(results, options.implementations, options.results)) return runner_usage(options, "cannot write the results file");
  if (!options.junit.empty() && !write_junit(results, options.junit)) return runner_usage(options, "cannot write the JUnit file");
  if (!options.matrix.empty() && !write_matrix(results, options.implementations, options.matrix)) return runner_usage(options, "cannot write the matrix file");
  const bool bad = std::any_of(results.begin(), results.end(), [](const Result& r) { return unexpected(r.status); });
  return bad ? 1 : 0;
}

int report_from_results(RunnerOptions options) {
  const std::vector<Result> results = read_results(options.from_results, options.implementations);
  if (results.empty()) return runner_usage(options, "no results in the --from-results file");
  options.results.clear();
  return report_results(options, results);
}

}  // namespace refloop::conformance
