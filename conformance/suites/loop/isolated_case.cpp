// SPDX-License-Identifier: ISC
// See isolated_case.hpp. The child (framework/isolation.hpp) runs the case through the judge and reports on a pipe, one line
// each: "S <step>" before every step, "F <message>" from the fatal handler, "R <status>\t<detail>"
// at the end. The parent reads the pipe and the child's stderr, and judges how the child ended:
// a result line, or an abort after a fatal error the case expects at that step, with the message.
#include "isolated_case.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "case_text.hpp"
#include "fatal_capture.hpp"
#include "isolation.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {
namespace {

std::string describe_step(const Step& step) {
  const std::string what = step.probe ? "! " + step.probe->name + " " + step.probe->text : model::loop::format_op(step.op);
  return "line " + std::to_string(step.line) + " (" + what + "): ";
}

// Why a step failed, and whether the case can go on: a wrong explicit expectation or probe result
// leaves the model and the adapter agreeing on the state, so later steps are still judged; a
// disagreement with the model (or a fatal path taken wrongly) does not.
struct StepFailure {
  std::string why;
  bool can_continue = false;
};

// One step through the judge and the step's explicit expectations.
std::optional<StepFailure> run_step(Judge& judge, const Step& step, const std::string& backend) {
  if (step.probe) {
    std::string result;
    if (auto verdict = judge.probe(*step.probe, result)) return StepFailure{*verdict};
    if (step.result && result != step.result->for_backend(backend))
      return StepFailure{"expected " + step.result->for_backend(backend) + ", saw " + (result.empty() ? "nothing" : result), true};
  } else {
    if (auto verdict = judge.step(step.op)) return StepFailure{*verdict};
    if (step.expect)
      if (auto why = check_expectation(*step.expect, judge.last_run())) return StepFailure{*why, true};
  }
  if (fatal_reported()) return StepFailure{"[FATAL-001] the fatal handler returned and the process did not abort"};
  if (step.fatal && step.fatal->applies_to(backend) && !step.fatal->later)
    return StepFailure{"expected a fatal error here; the step returned"};
  return std::nullopt;
}

// Why the adapter cannot perform a step, asked of the step and of every action of a script it
// defines (a script's actions run inside callbacks, where refusing is too late).
std::optional<std::string> unsupported_step(const LoopAdapter& adapter, const Step& step) {
  if (step.probe) return adapter.unsupported_probe(*step.probe);
  if (auto why = adapter.unsupported(step.op)) return why;
  if (step.op.code == model::loop::Code::script)
    for (const Op& action : step.op.body)
      if (auto why = adapter.unsupported(action)) return "in script s" + std::to_string(step.op.handler) + ": " + *why;
  return std::nullopt;
}

// Every failure of a case: the first, then the ones after it that could still be judged.
std::string failures_text(const std::vector<std::string>& failures) {
  std::string text = failures.front();
  for (std::size_t i = 1; i < failures.size(); ++i) text += "; then " + failures[i];
  return text;
}

// The child's work: every step in order, reporting progress; the verdict as a Result.
Result execute_case(const Case& c, const Column& column, int report_fd) {
  const auto adapter = column.make();
  const std::string backend = Judge::backend_of(adapter->name());
  auto result = [&](Status status, std::string detail) { return Result{column.name, c.id, c.summary, status, std::move(detail)}; };
  for (const Step& step : c.steps) {
    const auto why = step.probe ? adapter->not_applicable_probe(*step.probe) : adapter->not_applicable(step.op);
    if (why) return result(Status::not_applicable, *why);
  }
  for (const Step& step : c.steps)
    if (auto why = unsupported_step(*adapter, step)) return result(Status::unsupported, *why);
  Judge judge(*adapter);
  const Step* fatal_later = nullptr;
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const std::string progress = "S " + std::to_string(i) + "\n";
    (void)!::write(report_fd, progress.data(), progress.size());
    const Step& step = c.steps[i];
    if (step.fatal && step.fatal->applies_to(backend) && step.fatal->later && fatal_later == nullptr)
      fatal_later = &step;
    const auto failure = run_step(judge, step, backend);
    if (!failure) continue;
    failures.push_back(describe_step(step) + failure->why);
    if (!failure->can_continue) return result(Status::fail, failures_text(failures));
  }
  if (!failures.empty()) return result(Status::fail, failures_text(failures));
  if (fatal_later != nullptr)
    return result(Status::fail, describe_step(*fatal_later) + "expected a fatal error from here on; the case ended without one");
  return result(Status::pass, "");
}

// The child's work: the case, then its result as one "R <status>\t<detail>" line.
void child(const Case& c, const Column& column, int report_fd) {
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
}

// The fatal expectation that covers step `at` on `backend`: its own, or an earlier `later` one.
const FatalExpectation* fatal_expected_at(const Case& c, std::size_t at, const std::string& backend) {
  const auto on_backend = [&](std::size_t i) {
    return c.steps[i].fatal && c.steps[i].fatal->applies_to(backend) ? &*c.steps[i].fatal : nullptr;
  };
  if (at < c.steps.size() && on_backend(at)) return on_backend(at);
  for (std::size_t i = std::min(at, c.steps.size()); i-- > 0;)
    if (c.steps[i].fatal) return c.steps[i].fatal->later ? on_backend(i) : nullptr;
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
  // A death by a signal (abort(), a failed assert(), SIGSEGV) is the fatal path too: its message
  // is what the fatal handler reported, or else what the process wrote on stderr.
  const bool signalled = WIFSIGNALED(report.wait_status);
  const FatalExpectation* expected = fatal_expected_at(c, step, Judge::backend_of(column.name));
  std::string message = fatal_message.value_or(trimmed(report.errors));
  if (signalled && message.empty()) message = std::string("killed by signal ") + ::strsignal(WTERMSIG(report.wait_status));
  if (!signalled)
    return result(Status::fail, where + "the process died (status " + std::to_string(report.wait_status) +
                                    ") without a result" + (message.empty() ? "" : "; fatal: " + message) +
                                    (report.errors.empty() ? "" : "; stderr: " + report.errors));
  if (expected == nullptr) return result(Status::fail, where + "unexpected fatal error: " + message);
  const std::string& seen = expected->on_stderr ? report.errors : message;
  if (!fatal_message_matches(*expected, seen))
    return result(Status::fail, where + "the fatal message" + (expected->on_stderr ? " on stderr" : "") + " was '" + seen +
                                    "', which contains none of the expected texts");
  return result(Status::pass, "");
}

}  // namespace

Result run_case_isolated(const Case& c, const Column& column) {
  std::string error;
  const auto report = run_in_child([&](int report_fd) { child(c, column, report_fd); }, error);
  if (!report) return Result{column.name, c.id, c.summary, Status::fail, error};
  return judge_child(c, column, *report);
}

}  // namespace refloop::conformance::loop_suite
