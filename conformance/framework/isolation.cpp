// SPDX-License-Identifier: ISC
// See isolation.hpp.
#include "isolation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "fatal_capture.hpp"

namespace refloop::conformance {
namespace {

// Reads both pipes until the child closes them, or kills it after a step that takes too long.
ChildReport collect(pid_t pid, int report_fd, int stderr_fd) {
  ChildReport report;
  pollfd fds[2] = {{report_fd, POLLIN, 0}, {stderr_fd, POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    const int ready = ::poll(fds, 2, step_timeout_ms);
    if (ready == 0) {
      report.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {
        fds[i].fd = -1;
        --open;
        continue;
      }
      (i == 0 ? report.lines : report.errors).append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::waitpid(pid, &report.wait_status, 0);
  return report;
}

}  // namespace

std::optional<ChildReport> run_in_child(const std::function<void(int report_fd)>& body, std::string& error) {
  int report_pipe[2], stderr_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0 || ::pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    error = "cannot create the child's pipes";
    return std::nullopt;
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report_pipe[0]);
    ::close(stderr_pipe[0]);
    ::dup2(stderr_pipe[1], 2);
    set_fatal_report_fd(report_pipe[1]);
    body(report_pipe[1]);
    flush_coverage();
    ::_exit(0);
  }
  ::close(report_pipe[1]);
  ::close(stderr_pipe[1]);
  if (pid < 0) {
    ::close(report_pipe[0]);
    ::close(stderr_pipe[0]);
    error = "fork failed";
    return std::nullopt;
  }
  ChildReport report = collect(pid, report_pipe[0], stderr_pipe[0]);
  ::close(report_pipe[0]);
  ::close(stderr_pipe[0]);
  return report;
}

}  // namespace refloop::conformance
