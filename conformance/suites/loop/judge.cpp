// SPDX-License-Identifier: ISC
// The judge: every operation goes to the adapter and to the loop model; every callback the
// adapter reports is checked by the model before its script acts (spec/model.md, MODEL-004..006),
// and after every operation the registrations, the registered count and the unread bytes must
// agree. The same checks as property/loop's harness, for any LoopAdapter.
#include "loop_adapter.hpp"

#include <algorithm>

#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {

using model::loop::Code;
using model::loop::Kind;
using model::loop::max_ends;
using model::loop::max_tasks;
using model::loop::max_timers;

std::string describe_outcome(Outcome outcome) {
  switch (outcome) {
    case Outcome::polled: return "polled";
    case Outcome::quit: return "quit";
    case Outcome::empty: return "empty";
    case Outcome::deadlock: return "deadlock";
  }
  return "?";
}

Verdict Judge::step(const Op& op) {
  if (op.code == Code::run || op.code == Code::run_nowait) {
    if (auto verdict = run(op.code == Code::run_nowait)) return verdict;
  } else {
    adapter_.act(op);
    model_.apply(op);
  }
  return compare_state();
}

// A probe acts on the adapter only; what it registered or unregistered (a register-try that
// succeeded, an unchecked register) and a handler it set on a registered fd are then applied to
// the model, so later steps are judged from the same state.
Verdict Judge::probe(const Probe& probe, std::string& result) {
  result = adapter_.probe(probe);
  const Ref target = probe.op.target;
  if (probe.name == "set-handler" && adapter_.registered(target)) model_.apply(probe.op);
  if (probe.name == "close-keep" && !model_.registered(target)) model_.apply(op_on(Code::close, target));
  if (probe.name.rfind("register", 0) == 0 || probe.name == "unregister") {
    const bool now = adapter_.registered(target);
    if (now != model_.registered(target)) {
      model_.apply(op_on(now ? Code::reg : Code::unreg, target));
    }
  }
  return compare_state();
}

// A timer callback the model refuses because, by the model's clock, it is not due yet or step 1
// has ended, while the adapter's clock at the callback has reached its expiry: the loop polled
// first and ran the timers that had expired before or during the wait (libev's order). That is
// one structural shift of the iteration, named as such, not a timer firing early. A loop that
// declares that order (ADAPTER-018) also gets it named when it runs another callback first (its
// tasks before the poll, its fds after it) while a timer due at step 1 waits.
Verdict Judge::explain(const Event& event, const std::string& refusal) const {
  if (event.object.kind != Kind::timer) return explain_waiting_timer(event, refusal);
  const bool not_due = refusal.rfind("[TIMER-002]", 0) == 0 && refusal.find("ran before its expiry") != std::string::npos;
  const bool after_step_one = refusal.rfind("[LOOP-001] timer callback", 0) == 0;
  const auto& timer = model_.timer(event.object.index);
  const tain seen = adapter_.clock();
  if (!(not_due || after_step_one) || seen < timer.expires) return refusal;
  return "[LOOP-001] " + std::string(poll_first_cause) + ": " + model::loop::format_ref(event.object) + " (expires " +
         model::loop::format_time(timer.expires) + ") ran after this iteration's poll, at the loop's clock " +
         model::loop::format_time(seen) + " (step 1 saw " + model::loop::format_time(model_.cached_now()) +
         "); spec/loop.md runs the timers expired at step 1 before the poll (step 4) and one that expires "
         "during the wait in the next iteration (the model: " + refusal + ")";
}

// [req:ADAPTER-018] a callback refused because a timer due at step 1 has not run, from a loop
// that declares it polls first.
Verdict Judge::explain_waiting_timer(const Event& event, const std::string& refusal) const {
  const bool timer_waits = refusal.rfind("[TIMER-002] timer t", 0) == 0 && refusal.find("did not run in step 1") != std::string::npos;
  if (!timer_waits || !adapter_.polls_first()) return refusal;
  std::string callback = model::loop::format_ref(event.object);
  static constexpr const char* band_names[3] = {"err", "in", "out"};  // Band's order
  if (event.object.kind == Kind::fd) callback += std::string(".") + band_names[static_cast<int>(event.band)];
  return "[LOOP-001] " + std::string(poll_first_cause) + ": " + callback +
         " ran while a timer due at step 1 had not run; the adapter declares poll-first order (it runs "
         "its expired timers after its poll), spec/loop.md runs them first (the model: " + refusal + ")";
}

Verdict Judge::run(bool nowait) {
  last_run_ = RunRecord{};
  failure_.reset();
  model_.begin_run(nowait);
  const auto on_callback = [this](const Event& event) {
    if (failure_) return false;
    last_run_.events.push_back(event);
    failure_ = model_.on_callback(event);
    if (failure_) failure_ = explain(event, *failure_);
    return !failure_.has_value();
  };
  const auto on_nested_end = [this](Outcome outcome, const tain& clock) {  // MODEL-007
    if (failure_) return false;
    failure_ = model_.end_run(outcome, clock);
    return !failure_.has_value();
  };
  const Outcome outcome = adapter_.run(nowait, on_callback, on_nested_end);
  last_run_.outcome = outcome;
  last_run_.clock = adapter_.clock();
  if (failure_) return failure_;
  if (auto problem = adapter_.take_problem()) return problem;
  return explain_short_wait(model_.end_run(outcome, last_run_.clock));
}

// [req:ADAPTER-018] An iteration of a loop that declares poll-first order, which ran timers and
// then ended without the wait the model expects after them: its poll came first and did not wait
// because those timers were due; the wait the model expects is the next iteration's.
Verdict Judge::explain_short_wait(const Verdict& verdict) const {
  if (!verdict || !adapter_.polls_first() || verdict->rfind("[TIME-005] after an idle wait until", 0) != 0) return verdict;
  const auto& events = last_run_.events;
  const bool ran_timers = std::any_of(events.begin(), events.end(), [](const Event& e) { return e.object.kind == Kind::timer; });
  if (!ran_timers) return verdict;
  return "[LOOP-001] " + std::string(poll_first_cause) + ": the iteration ran its due timers after a poll "
         "that did not wait for them, and ended without the idle wait spec/loop.md makes after them (the "
         "model: " + *verdict + ")";
}

// [req:MODEL-004] registrations, count and unread bytes agree after every operation.
Verdict Judge::compare_state() const {
  for (int kind = 0; kind < 3; ++kind) {
    const int count = kind == 0 ? max_ends : kind == 1 ? max_timers : max_tasks;
    for (int i = 0; i < count; ++i) {
      const Ref ref{static_cast<Kind>(kind), static_cast<std::uint8_t>(i)};
      if (adapter_.registered(ref) != model_.registered(ref))
        return "registration of " + model::loop::format_ref(ref) + " differs from the model";
    }
  }
  if (adapter_.registered_count() != model_.registered_count())
    return "[LOOP-006] registered count is " + std::to_string(adapter_.registered_count()) +
           ", the model counts " + std::to_string(model_.registered_count());
  for (int end = 0; end < max_ends; ++end) {
    const auto unread = adapter_.unread(end);
    if (unread && *unread != model_.world().unread(end))
      return "unread bytes at " + model::loop::format_ref(Ref{Kind::fd, static_cast<std::uint8_t>(end)}) +
             " differ from the model's world";
  }
  return std::nullopt;
}

}  // namespace refloop::conformance::loop_suite
