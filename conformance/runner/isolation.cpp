// SPDX-License-Identifier: ISC
// See isolation.hpp. The child runs the case through the judge and reports on a pipe, one line
// each: "S <step>" before every step, "F <message>" from the fatal handler, "R <status>\t<detail>"
// at the end. The parent reads the pipe and the child's stderr, and judges how the child ended:
// a result line, or an abort after a fatal error the case expects at that step, with the message.
#include "isolation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "fatal_capture.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance {
namespace {

std::string describe_step(const Step& step) {
  const std::string what = step.probe ? "! " + step.probe->name + " " + step.probe->text : model::loop::format_op(step.op);
  return "line " + std::to_string(step.line) + " (" + what + "): ";
}

// One step through the judge and the step's explicit expectations; why it failed, if it did.
std::optional<std::string> run_step(Judge& judge, const Step& step, const std::string& backend) {
  if (step.probe) {
    std::string result;
    if (auto verdict = judge.probe(*step.probe, result)) return *verdict;
    if (step.result && result != step.result->for_backend(backend))
      return "expected " + step.result->for_backend(backend) + ", saw " + (result.empty() ? "nothing" : result);
  } else {
    if (auto verdict = judge.step(step.op)) return *verdict;
    if (step.expect)
      if (auto why = check_expectation(*step.expect, judge.last_run())) return *why;
  }
  if (fatal_reported()) return std::string("[FATAL-001] the fatal handler returned and the process did not abort");
  if (step.fatal && !step.fatal->later) return std::string("expected a fatal error here; the step returned");
  return std::nullopt;
}

// The child's work: every step in order, reporting progress; the verdict as a Result.
Result execute_case(const Case& c, const Column& column, int report_fd) {
  const auto subject = column.make();
  const std::string backend = Judge::backend_of(subject->name());
  auto result = [&](Status status, std::string detail) { return Result{column.name, c.id, c.summary, status, std::move(detail)}; };
  for (const Step& step : c.steps)
    if (!step.probe)
      if (auto why = subject->not_applicable(step.op)) return result(Status::not_applicable, *why);
  for (const Step& step : c.steps) {
    const auto why = step.probe ? subject->unsupported_probe(*step.probe) : subject->unsupported(step.op);
    if (why) return result(Status::unsupported, *why);
  }
  Judge judge(*subject);
  const Step* fatal_later = nullptr;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const std::string progress = "S " + std::to_string(i) + "\n";
    (void)!::write(report_fd, progress.data(), progress.size());
    const Step& step = c.steps[i];
    if (step.fatal && step.fatal->later && fatal_later == nullptr) fatal_later = &step;
    if (auto why = run_step(judge, step, backend)) return result(Status::fail, describe_step(step) + *why);
  }
  if (fatal_later != nullptr)
    return result(Status::fail, describe_step(*fatal_later) + "expected a fatal error from here on; the case ended without one");
  return result(Status::pass, "");
}

[[noreturn]] void child(const Case& c, const Column& column, int report_fd, int stderr_fd) {
  ::dup2(stderr_fd, 2);
  set_fatal_report_fd(report_fd);
  Result r;
  try {
    r = execute_case(c, column, report_fd);
  } catch (const std::exception& e) {
    r = Result{column.name, c.id, c.summary, Status::fail, std::string("exception: ") + e.what()};
  }
  std::string detail = r.detail;
  std::replace(detail.begin(), detail.end(), '\n', ' ');
  const std::string line = "R " + std::to_string(static_cast<int>(r.status)) + "\t" + detail + "\n";
  (void)!::write(report_fd, line.data(), line.size());
  flush_coverage();
  ::_exit(0);
}

struct ChildReport {
  std::string lines;   // the report pipe
  std::string errors;  // the child's stderr
  bool timed_out = false;
  int wait_status = 0;
};

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

// The fatal expectation that covers step `at`: its own, or an earlier `later` one.
const FatalExpectation* fatal_expected_at(const Case& c, std::size_t at) {
  if (at < c.steps.size() && c.steps[at].fatal) return &*c.steps[at].fatal;
  for (std::size_t i = std::min(at, c.steps.size()); i-- > 0;)
    if (c.steps[i].fatal) return c.steps[i].fatal->later ? &*c.steps[i].fatal : nullptr;
  return nullptr;
}

Result judge_child(const Case& c, const Column& column, const ChildReport& report) {
  auto result = [&](Status status, std::string detail) { return Result{column.name, c.id, c.summary, status, std::move(detail)}; };
  std::size_t step = 0;
  std::optional<std::string> fatal_message;
  std::size_t at = 0;
  for (std::size_t next; at < report.lines.size(); at = next + 1) {
    next = report.lines.find('\n', at);
    if (next == std::string::npos) break;
    const std::string line = report.lines.substr(at, next - at);
    if (line.rfind("S ", 0) == 0) step = std::stoul(line.substr(2));
    if (line.rfind("F ", 0) == 0 && !fatal_message) fatal_message = line.substr(2);
    if (line.rfind("R ", 0) == 0) {
      const auto tab = line.find('\t');
      return result(static_cast<Status>(std::stoi(line.substr(2, tab - 2))), tab == std::string::npos ? "" : line.substr(tab + 1));
    }
  }
  const std::string where = step < c.steps.size() ? describe_step(c.steps[step]) : "";
  if (report.timed_out)
    return result(Status::fail, where + "no progress for " + std::to_string(step_timeout_ms / 1000) +
                                    " s (a busy loop or a wait that never ends); killed");
  const bool aborted = WIFSIGNALED(report.wait_status) && WTERMSIG(report.wait_status) == SIGABRT;
  const FatalExpectation* expected = fatal_expected_at(c, step);
  const std::string message = fatal_message.value_or("");
  if (!aborted)
    return result(Status::fail, where + "the process died (status " + std::to_string(report.wait_status) +
                                    ") without a result" + (message.empty() ? "" : "; fatal: " + message) +
                                    (report.errors.empty() ? "" : "; stderr: " + report.errors));
  if (expected == nullptr)
    return result(Status::fail, where + "unexpected fatal error: " + (message.empty() ? report.errors : message));
  const std::string& seen = expected->on_stderr ? report.errors : message;
  if (!fatal_message_matches(*expected, seen))
    return result(Status::fail, where + "the fatal message" + (expected->on_stderr ? " on stderr" : "") + " was '" + seen +
                                    "', which contains none of the expected texts");
  return result(Status::pass, "");
}

}  // namespace

Result run_case_isolated(const Case& c, const Column& column) {
  int report_pipe[2], stderr_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0 || ::pipe2(stderr_pipe, O_CLOEXEC) != 0)
    return Result{column.name, c.id, c.summary, Status::fail, "cannot create the child's pipes"};
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report_pipe[0]);
    ::close(stderr_pipe[0]);
    child(c, column, report_pipe[1], stderr_pipe[1]);
  }
  ::close(report_pipe[1]);
  ::close(stderr_pipe[1]);
  if (pid < 0) {
    ::close(report_pipe[0]);
    ::close(stderr_pipe[0]);
    return Result{column.name, c.id, c.summary, Status::fail, "fork failed"};
  }
  const ChildReport report = collect(pid, report_pipe[0], stderr_pipe[0]);
  ::close(report_pipe[0]);
  ::close(stderr_pipe[0]);
  return judge_child(c, column, report);
}

}  // namespace refloop::conformance
