// SPDX-License-Identifier: ISC
// Running one case in a child process (conformance/README.md, "Probes"): a case may end in a
// fatal error (which aborts the process, FATAL-001) or spin forever (ivykis's busy loop on a
// closed fd), and neither may take the runner down or hang it. The child reports on a pipe, one
// line at a time, in whatever words its suite uses; the fatal handler of fatal_capture.hpp writes
// "F <message>" lines on the same pipe.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace refloop::conformance {

// How long a child may go without writing a report line before it is killed and the case fails.
inline constexpr int step_timeout_ms = 5000;

struct ChildReport {
  std::string lines;   // the report pipe
  std::string errors;  // the child's stderr
  bool timed_out = false;
  int wait_status = 0;
};

// Forks; the child sends its stderr to the parent, sets the fatal report pipe, runs `body` with
// the pipe's fd and ends with _exit(0). The parent collects both pipes until the child closes
// them or is silent for step_timeout_ms (then kills it). Nullopt with `error` set when the pipes
// or the fork cannot be made.
std::optional<ChildReport> run_in_child(const std::function<void(int report_fd)>& body, std::string& error);

}  // namespace refloop::conformance
