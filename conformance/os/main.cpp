// SPDX-License-Identifier: ISC
// The OS-interface suite's runner (conformance/os/README.md):
//   refloop-os-conformance --column native|os~emu [--expect-fail] FILE|DIR...
// runs every case (*.case, a folder one level deep, in name order) on one column and prints one
// TAP line per case ("ok", "ok # SKIP <why>" when the column lacks the interface, "not ok").
// Exit status 0 when every case passed or did not apply; with --expect-fail (the self-test of
// deliberately wrong cases), 0 only when every case that applies failed, and one did.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "os_case.hpp"

namespace {

std::vector<std::filesystem::path> case_files(const std::vector<std::string>& arguments) {
  std::vector<std::filesystem::path> files;
  for (const std::string& argument : arguments) {
    if (!std::filesystem::is_directory(argument)) {
      files.emplace_back(argument);
      continue;
    }
    std::vector<std::filesystem::path> here;
    for (const auto& entry : std::filesystem::directory_iterator(argument))
      if (entry.path().extension() == ".case") here.push_back(entry.path());
    std::sort(here.begin(), here.end());
    files.insert(files.end(), here.begin(), here.end());
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  using refloop::os_suite::Outcome;
  std::string column_name;
  bool expect_fail = false;
  std::vector<std::string> arguments;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--column") == 0 && i + 1 < argc) column_name = argv[++i];
    else if (std::strcmp(argv[i], "--expect-fail") == 0) expect_fail = true;
    else arguments.emplace_back(argv[i]);
  }
  if (column_name != "native" && column_name != "os~emu") {
    std::fprintf(stderr, "usage: %s --column native|os~emu [--expect-fail] FILE|DIR...\n", argv[0]);
    return 2;
  }
  const auto files = case_files(arguments);
  if (files.empty()) {
    std::fprintf(stderr, "no cases given: a run that checks nothing does not pass\n");
    return 2;
  }
  std::printf("1..%zu\n", files.size());
  int passed = 0, failed = 0, skipped = 0, number = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    // Each case gets emulators of its own, so a knob one case armed and never used (an EINTR
    // for a wait that did not happen, keep_nget_on_etime) cannot reach the next.
    refloop::SimulatedClock clock;
    refloop::os::Emulators emulators(refloop::kernel::native_syscalls(), &clock);
    refloop::os_suite::Column column = column_name == "native" ? refloop::os_suite::native_column()
                                                               : refloop::os_suite::emulated_column(emulators);
    const Outcome outcome = refloop::os_suite::run_case(text.str(), column);
    const std::string name = file.stem().string();
    ++number;
    if (outcome.result == Outcome::Result::pass) {
      ++passed;
      std::printf("ok %d %s [%s]\n", number, name.c_str(), column_name.c_str());
    } else if (outcome.result == Outcome::Result::not_applicable) {
      ++skipped;
      std::printf("ok %d %s [%s] # SKIP %s\n", number, name.c_str(), column_name.c_str(), outcome.detail.c_str());
    } else {
      ++failed;
      std::printf("not ok %d %s [%s]: %s\n", number, name.c_str(), column_name.c_str(), outcome.detail.c_str());
    }
  }
  std::printf("# os suite, column %s: %d pass, %d fail, %d n/a\n", column_name.c_str(), passed, failed, skipped);
  if (expect_fail) return failed > 0 && failed + skipped == number ? 0 : 1;
  return failed == 0 ? 0 : 1;
}
