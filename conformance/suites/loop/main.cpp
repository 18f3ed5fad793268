// SPDX-License-Identifier: ISC
// refloop-conformance: runs the case files of conformance/cases/loop/ (and, in the ivykis runners,
// cases/ivapi/) against implementations of the ivykis loop semantics, each case in a child
// process (isolation.cpp), and reports through driver.hpp: TAP on stdout, optionally JUnit XML,
// a markdown matrix and a results file. The exit status is non-zero on any unexpected result: a
// failure not listed in conformance/expectations/<implementation>.txt, or a listed one that passes.
// `--list-backends` prints the backends refloop compiled, one a line (refloop::compiled_backends),
// so ci/conformance never names them. `--adapter 'COMMAND ARGS' --name NAME` runs the cases on an
// adapter in another process, `--serve` serves this runner's one column over the same protocol
// (spec/adapter.md).
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "case_file.hpp"
#include "columns.hpp"
#include "driver.hpp"
#include "isolated_case.hpp"
#include "process_adapter.hpp"
#include "serve.hpp"
#include "refloop/loop/loop.hpp"

namespace {

using namespace refloop::conformance;
using namespace refloop::conformance::loop_suite;

// The columns of this runner, or the one process adapter of --adapter (its implementation is the
// name up to a '/': "libev", "refloop-iv/poll" -> "refloop-iv").
std::vector<Column> offered_columns(const RunnerOptions& options, std::string& error) {
  if (options.adapter.empty()) return available_columns(options.impl, options.backend, error);
  const std::string command = options.adapter, name = options.name;
  return {Column{name.substr(0, name.find('/')), name, [command, name] { return make_process_adapter(command, name); }}};
}

// [req:ADAPTER-017] The conformance tree this runner reads cases and expectations from: an installed runner
// (`cmake --install`, <prefix>/bin) reads <prefix>/share/refloop/conformance, a runner in a build
// tree the source tree it was built from.
std::string conformance_dir() {
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  const auto installed = executable.parent_path().parent_path() / "share/refloop/conformance";
  if (!error && std::filesystem::is_directory(installed / "cases", error)) return installed.string();
  return REFLOOP_CONFORMANCE_DIR;
}

// REFLOOP_CONFORMANCE_CASES (folders under REFLOOP_CONFORMANCE_DIR, ':'-separated) under `dir`.
std::string case_folders(const std::string& dir) {
  std::string folders = REFLOOP_CONFORMANCE_CASES;
  const std::string built = REFLOOP_CONFORMANCE_DIR;
  for (std::size_t at = folders.find(built); at != std::string::npos; at = folders.find(built, at + dir.size()))
    folders.replace(at, built.size(), dir);
  return folders;
}

// --serve: the one column --impl/--backend names, over the process protocol.
int serve_column(const RunnerOptions& options) {
  std::string error;
  const std::vector<Column> columns = available_columns(options.impl, options.backend, error);
  if (columns.size() != 1) return runner_usage(options, columns.empty() ? error : "--serve needs one column");
  const auto adapter = columns.front().make();
  return serve(*adapter, protocol::Identity{columns.front().name, REFLOOP_CONFORMANCE_VERSION, "(linked into this runner)"});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--list-backends") {
    for (std::string_view name : refloop::compiled_backends())
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return 0;
  }
  RunnerOptions options;
  options.program = "refloop-conformance";
  const std::string dir = conformance_dir();
  options.cases = case_folders(dir);
  options.expectations = dir + "/expectations";
  if (!parse_runner_options(argc, argv, options)) return runner_usage(options, "bad arguments");
  if (options.serve) return serve_column(options);
  if (!options.adapter.empty()) {
    if (options.name.empty()) return runner_usage(options, "--adapter needs --name NAME");
    // [req:ADAPTER-016] A failed handshake is the adapter's problem, not the command line's: no usage text.
    auto identity = read_identity(options.adapter);
    if (!identity) {
      std::fprintf(stderr, "refloop-conformance: the handshake of adapter '%s' failed: %s\n", options.adapter.c_str(),
                   identity.error().c_str());
      return 2;
    }
    options.implementations.push_back({options.name, identity->name, identity->version, identity->library});
    options.adapter_version = identity->version.substr(0, identity->version.find(' '));  // [req:ADAPTER-019]
  }
  return run_suite<Case, Column>(
      options, [](const std::string& path) { return load_case(path); },
      [](const RunnerOptions& o, std::string& error) { return offered_columns(o, error); },
      [](const Case& c, const Column& column) { return run_case_isolated(c, column); });
}
