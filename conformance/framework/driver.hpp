// SPDX-License-Identifier: ISC
// What every conformance runner (loop, iopause, tai) does around its own cases and adapters: the
// common options, loading the case files of one or more folders, applying an implementation's
// known deviations, reporting (TAP on stdout, --results, --junit, --matrix) and the exit status
// (conformance/README.md). A runner's main is its option defaults plus one call of run_suite.
//   RUNNER [--impl all|NAME] [--backend NAME] [--cases DIR[:DIR...]] [--expectations DIR]
//          [--junit FILE] [--matrix FILE] [--results FILE]
//   RUNNER --from-results FILE [--junit FILE] [--matrix FILE]
//   RUNNER --adapter 'COMMAND ARGS' --name NAME [options]       (loop suite: a process adapter)
//   RUNNER --serve --impl NAME [--backend NAME]                  (loop suite: serve one column)
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "case_error.hpp"
#include "refloop/expected.hpp"
#include "results.hpp"

// The version of the peer library a runner links (its CMake target defines it from the library's
// own header, refloop_conformance_peer_version); known deviations may hold for some versions only.
#ifndef REFLOOP_PEER_VERSION
#define REFLOOP_PEER_VERSION ""  // refloop's own runners
#endif

namespace refloop::conformance {

struct RunnerOptions {
  std::string program;       // for messages: "refloop-conformance-tai"
  std::string impl = "all";
  std::string backend;
  std::string cases;         // folders, separated by ':'
  std::string expectations;  // conformance/expectations
  std::string junit;
  std::string matrix;
  std::string results;       // append every result to this file
  std::string from_results;  // report the results in this file instead of running cases
  // The loop suite's process adapters (spec/adapter.md): --adapter 'COMMAND ARGS' --name NAME runs
  // the cases on that adapter; --serve serves the one column --impl/--backend names over the
  // protocol instead of running cases.
  std::string adapter;
  std::string name;
  bool serve = false;
  // A process adapter's library version, the first word of its handshake's VERSION: it picks the
  // `@VERSION` lines of the known deviations instead of REFLOOP_PEER_VERSION (ADAPTER-019).
  std::string adapter_version;
  std::vector<Implementation> implementations;  // recorded in every output (ADAPTER-003)
};

// Reads the options over the defaults already in `options`; false on a bad argument.
bool parse_runner_options(int argc, char** argv, RunnerOptions& options);
int runner_usage(const RunnerOptions& options, const std::string& problem);
// The .case files of the folders, sorted by name; an error names the folder.
Expected<std::vector<std::string>, std::string> case_paths(const std::string& folders);
// A raw result judged against the implementation's known deviations.
Result judged(Result result, const Deviations& deviations);
// TAP on stdout and the requested files; 1 on any unexpected result, 2 if a file cannot be written.
int report_results(const RunnerOptions& options, const std::vector<Result>& results);
int report_from_results(RunnerOptions options);

// Runs every case on every column the runner offers for --impl/--backend, judged against
// conformance/expectations/<implementation>.txt. Every suite's Column has `implementation` and
// `name`; every suite's case reader returns its Case or a CaseError.
template <class Case, class Column>
int run_suite(const RunnerOptions& options,
              const std::function<Expected<Case, CaseError>(const std::string& path)>& load_case,
              const std::function<std::vector<Column>(const RunnerOptions&, std::string& error)>& offered_columns,
              const std::function<Result(const Case&, const Column&)>& run_case) {
  if (!options.from_results.empty()) return report_from_results(options);
  const auto paths = case_paths(options.cases);
  if (!paths) return runner_usage(options, paths.error());
  std::vector<Case> cases;
  for (const std::string& path : *paths) {
    auto loaded = load_case(path);
    if (!loaded) return runner_usage(options, loaded.error().text());
    cases.push_back(std::move(*loaded));
  }
  std::string error;
  const std::vector<Column> columns = offered_columns(options, error);
  if (columns.empty()) return runner_usage(options, error);
  const std::string version = options.adapter.empty() ? REFLOOP_PEER_VERSION : options.adapter_version;
  std::vector<Result> results;
  for (const Column& column : columns) {
    const Deviations deviations = load_deviations(options.expectations + "/" + column.implementation + ".txt", version);
    for (const Case& c : cases) results.push_back(judged(run_case(c, column), deviations));
  }
  return report_results(options, results);
}

}  // namespace refloop::conformance
