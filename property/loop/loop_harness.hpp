// SPDX-License-Identifier: ISC
// Drives the real loop and the loop model (model/loop) with the same operations and reports the
// first disagreement (spec/model.md, MODEL-004). It is the conformance suite's own machinery
// (conformance/runner: the refloop Subject on a SimulatedClock with real nonblocking pipes and
// socket pairs, and the Judge, which checks every callback as it happens and the registrations,
// registered count and unread bytes after every operation), plus what random and fuzzed
// sequences need: the history in the text form for failure reports, callback counts for
// RapidCheck's classification, and REFLOOP_LOOPCHECK_TRACE=1 for a step-by-step trace.
// Used by property/loop (RapidCheck) and fuzz/loop_ops_run.cpp.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loop/ops_text.hpp"
#include "subjects.hpp"

namespace refloop::loopcheck {

using namespace refloop::model::loop;

// A backend's name as a test name, which allows only letters, digits and '_' (epoll_timerfd).
inline std::string test_name_of(std::string backend) {
  for (char& c : backend)
    if (c == '-') c = '_';
  return backend;
}

class Harness {
 public:
  // `sys`: the kernel table the loop calls through (nullptr: the native one); it must outlive
  // the harness. The fault property passes a kernel::FaultCalls.
  explicit Harness(std::string_view backend, const kernel::SysCalls* sys = nullptr)
      : subject_(conformance::make_refloop_subject(backend, sys)), judge_(*subject_) {}

  [[nodiscard]] std::string backend_name() const {
    return conformance::Judge::backend_of(subject_->name());
  }
  [[nodiscard]] const std::vector<Op>& history() const { return history_; }
  // Callbacks seen so far, per Kind (fd, timer, task): to show that sequences do something.
  [[nodiscard]] std::size_t callbacks(Kind kind) const { return callbacks_[static_cast<int>(kind)]; }

  // Applies one operation to both; returns the first disagreement, if any.
  Verdict step(const Op& op) {
    history_.push_back(op);
    if (trace_) std::fprintf(stderr, "%s\n", format_op(op).c_str());
    Verdict verdict = judge_.step(op);
    if (op.code == Code::run || op.code == Code::run_nowait) count_and_trace(judge_.last_run());
    return verdict;
  }

  // A probe on the subject (register-try, ...), mirrored in the model; the disagreement, if any.
  Verdict probe(const conformance::Probe& probe, std::string& result) {
    if (trace_) std::fprintf(stderr, "! %s %s\n", probe.name.c_str(), format_op(probe.op).c_str());
    return judge_.probe(probe, result);
  }
  // What the loop itself says, not the model.
  [[nodiscard]] bool registered(const Ref& ref) const { return subject_->registered(ref); }
  [[nodiscard]] std::size_t registered_count() const { return subject_->registered_count(); }
  [[nodiscard]] tain clock() const { return subject_->clock(); }
  // What the last top-level run did, as the judge saw it.
  [[nodiscard]] const conformance::RunRecord& last_run() const { return judge_.last_run(); }

  // The failure report: the disagreement, the backend and the sequence in the text form.
  std::string report(const std::string& verdict) const {
    return "backend " + backend_name() + ": " + verdict +
           "\noperations so far (text form, spec/model.md):\n" + format_ops(history_);
  }

 private:
  void count_and_trace(const conformance::RunRecord& run) {
    for (const Event& event : run.events) {
      ++callbacks_[static_cast<int>(event.object.kind)];
      if (trace_) std::fprintf(stderr, "  callback %s\n", describe(event).c_str());
    }
    if (trace_) {
      const tain since = run.clock - tain_epoch;
      std::fprintf(stderr, "  -> %s, clock %llus+%uns\n", conformance::describe_outcome(run.outcome).c_str(),
                   static_cast<unsigned long long>(since.sec()), since.nano());
    }
  }

  std::unique_ptr<conformance::Subject> subject_;
  conformance::Judge judge_;
  bool trace_ = std::getenv("REFLOOP_LOOPCHECK_TRACE") != nullptr;  // print each step to stderr
  std::vector<Op> history_;
  std::size_t callbacks_[3] = {0, 0, 0};
};

}  // namespace refloop::loopcheck
