// SPDX-License-Identifier: ISC
// What the conformance runner needs from an implementation under test (conformance/README.md):
// a LoopAdapter performs the operations of the vocabulary (spec/model.md, MODEL-001) on its own loop
// and reports every callback as it happens; the Judge applies the same operations to the loop
// model (model/loop) and accepts or rejects each callback, each iteration's outcome and the state
// after every operation (spec/model.md, MODEL-004..006). Adapters for other loops implement
// LoopAdapter; nothing here knows refloop::Loop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapter.hpp"
#include "loop/loop_model.hpp"
#include "loop/ops.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/time/tain.hpp"

namespace refloop::conformance::loop_suite {

using model::loop::Event;
using model::loop::Op;
using model::loop::Outcome;
using model::loop::Ref;
using model::loop::Verdict;

// An operation of `code` on one object, every other field at its default.
inline Op op_on(model::loop::Code code, const Ref& target) {
  Op op;
  op.code = code;
  op.target = target;
  return op;
}

// A probe (conformance/README.md, "Probes"): one misuse or API check the vocabulary cannot
// express because the model's operations are total (a second registration does nothing there):
// `! register c0a` registers without checking, `! register-try c0a` reports the result, `! flags
// c0a` reports the fd's flags, `! fatal hello` calls the fatal path, and so on. Each answers a
// result string or does not return (a fatal error, which the runner observes from outside).
struct Probe {
  std::string name;    // "register", "register-try", "close-keep", "fatal", ...
  std::string text;    // the rest of the line: "c0a", "c0a.in s1", "hello"
  Op op{};             // the target parsed by the vocabulary's grammar (ref, band, script)
};

// Every probe the runner knows; what each does is in conformance/README.md. The first list is for
// every loop; the second is about the <iv.h> API itself (cases/ivapi/) and only the ivykis adapter
// performs it.
inline constexpr const char* probe_names[] = {
    "register", "register-negative", "register-try", "register-try-high", "unregister", "set-handler",
    "close-keep", "clear-flags", "flags", "oobinline", "fatal", "default-fatal-handler", "backend-name"};
inline constexpr const char* ivykis_probe_names[] = {
    "init-again", "call-without-init", "register-bad-expiry", "thread-id", "signals", "fd-init",
    "timer-init", "task-init", "now-cache", "main-empty", "layout",
    // misuse (adapters/ivykis/ivykis_misuse_probes.cpp): each takes its argument as text
    "nested-main", "deinit-in-callback", "init-in-callback", "dead-thread", "live-thread",
    "null-object", "register-fd-number", "expiry"};
inline bool is_ivykis_probe(const std::string& name) {
  for (const char* known : ivykis_probe_names)
    if (name == known) return true;
  return false;
}

// The loop suite's adapter: unsupported and not_applicable come from the one adapter concept
// (framework/adapter.hpp); the rest is the loop vocabulary.
class LoopAdapter : public Adapter<Op> {
 public:
  // Called by the adapter for each callback before the callback's script acts; false means the
  // judge rejected it and the adapter should stop acting on scripts.
  using Callback = std::function<bool(const Event&)>;
  // Called by the adapter when a run nested in a callback (a script's `run`, spec/model.md
  // MODEL-007) returns, with its outcome and the clock after it; false as for Callback.
  using NestedEnd = std::function<bool(Outcome, const tain&)>;

  virtual ~LoopAdapter() = default;
  [[nodiscard]] virtual std::string name() const = 0;  // "refloop/epoll", "model"
  virtual void act(const Op& op) = 0;  // every code but run / run_nowait
  virtual Outcome run(bool nowait, const Callback& callback, const NestedEnd& nested_end) = 0;
  [[nodiscard]] virtual tain clock() const = 0;
  [[nodiscard]] virtual bool registered(const Ref& ref) const = 0;
  [[nodiscard]] virtual std::size_t registered_count() const = 0;
  // Unread bytes at an open end that can read; nullopt when the end is not comparable.
  [[nodiscard]] virtual std::optional<std::uint64_t> unread(int end) const = 0;
  // Performs a probe: its result (empty when it has none), or does not return (fatal). The
  // default refuses every probe, which makes such a case UNSUPPORTED.
  [[nodiscard]] virtual std::optional<std::string> unsupported_probe(const Probe& probe) const {
    return "this adapter performs no probes (" + probe.name + ")";
  }
  virtual std::string probe(const Probe&) { return {}; }
  // Why a probe is about something the adapter does not offer (a process adapter that declares no
  // such probe, spec/adapter.md ADAPTER-004); the case is then N/A.
  [[nodiscard]] virtual std::optional<std::string> not_applicable_probe(const Probe&) const { return std::nullopt; }
  // A problem the adapter saw itself (a real-time adapter's timer firing early), once.
  virtual std::optional<std::string> take_problem() { return std::nullopt; }
  // The loop declares that it polls before running its expired timers (libev's, libevent's and
  // libuv's order; a process adapter's `capability order poll-first`, spec/adapter.md
  // ADAPTER-004, ADAPTER-018): the judge then names that order as the cause of a callback run
  // while a timer due at step 1 had not run yet.
  [[nodiscard]] virtual bool polls_first() const { return false; }
  // Whether a timer that an fd handler made due may run one iteration late, after the task that
  // handler registered (TIMER-007 leaves it open; spec/model.md MODEL-008). True unless the
  // implementation declares otherwise; refloop's loop answers with its backend's trait
  // (BackendTraits::timer_task_order_may_vary), never by the backend's name.
  [[nodiscard]] virtual bool timer_task_order_may_vary() const { return true; }
};

// What one `run` did, as the judge saw it (for explicit expectations).
struct RunRecord {
  std::vector<Event> events;
  Outcome outcome = Outcome::polled;
  tain clock{};
};

class Judge {
 public:
  // The model learns the kernel differences spec/loop.md names per backend (BACKEND-011) from the
  // traits refloop's backend of the adapter's name declares ("refloop/select" -> "select"; a
  // method refloop lacks, such as ivykis's epoll-timerfd, gets the common rules).
  // The order of a timer an fd handler made due and that handler's task is the adapter's own
  // declaration (MODEL-008).
  explicit Judge(LoopAdapter& adapter)
      : adapter_(adapter),
        model_(tain_epoch, model_traits(backend_of(adapter.name()), adapter.timer_task_order_may_vary())) {}
  static model::loop::BackendTraits model_traits(const std::string& backend, bool timer_task_order_may_vary) {
    const BackendTraits* traits = backend_traits(backend);
    if (traits == nullptr) return {.timer_task_order_may_vary = timer_task_order_may_vary};
    return model::loop::BackendTraits{!traits->sees_hangup_of_unwritable_out_only_fd, timer_task_order_may_vary};
  }
  static std::string backend_of(const std::string& adapter_name) {
    const auto slash = adapter_name.find('/');
    return slash == std::string::npos ? std::string() : adapter_name.substr(slash + 1);
  }

  // Applies one operation to the adapter and the model; the first disagreement, if any.
  Verdict step(const Op& op);
  // Performs a probe on the adapter and mirrors what it registered or unregistered in the model.
  Verdict probe(const Probe& probe, std::string& result);
  [[nodiscard]] const RunRecord& last_run() const { return last_run_; }

 private:
  Verdict run(bool nowait);
  Verdict compare_state() const;
  Verdict explain(const Event& event, const std::string& refusal) const;
  Verdict explain_waiting_timer(const Event& event, const std::string& refusal) const;
  Verdict explain_short_wait(const Verdict& verdict) const;

  LoopAdapter& adapter_;
  model::loop::LoopModel model_;
  RunRecord last_run_;
  Verdict failure_;
};

std::string describe_outcome(Outcome outcome);

// The cause the judge names when a loop polls before running its expired timers.
inline constexpr const char* poll_first_cause = "polls before running expired timers";

}  // namespace refloop::conformance::loop_suite
