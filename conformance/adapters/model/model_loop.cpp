// SPDX-License-Identifier: ISC
// The model as an implementation: an adapter that answers every `run` with one trace the model
// itself accepts (spec/model.md, MODEL-005). The model is an acceptor, so the trace is found by
// trying: take the first callback the model accepts while there is one, then the first ending
// (outcome and clock) it accepts. Running the cases on it checks the cases (their explicit expectations must
// be traces the model allows), and it is the matrix's reference column.
#include <algorithm>
#include <vector>

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "fatal_capture.hpp"
#include "model_loop.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using namespace model::loop;

constexpr int max_callbacks_per_run = 64;

class ModelLoopAdapter final : public LoopAdapter {
 public:
  [[nodiscard]] std::string name() const override { return "model"; }
  void act(const Op& op) override {
    if (op.code == Code::reg && op.target.kind == Kind::fd) blocking_[op.target.index] = false;  // FD-009
    model_.apply(op);
  }
  [[nodiscard]] std::optional<std::string> unsupported_probe(const Probe& probe) const override {
    if (is_ivykis_probe(probe.name)) return "probe " + probe.name + " is about the <iv.h> API";
    return std::nullopt;
  }
  std::string probe(const Probe& probe) override;

  Outcome run(bool nowait, const Callback& callback, const NestedEnd& nested_end) override {
    for (int end = 0; end < max_ends; ++end)  // [req:FD-010] the poll family's answer, at the next poll
      if (closed_while_registered(end)) fail("fd " + std::to_string(end) + " was closed while registered");
    model_.begin_run(nowait);
    // Callbacks first: the model also accepts some shorter traces (a step 1 it may skip, bands
    // it may leave out, MODEL-005), and the reference column should show the fuller one. A
    // callback that nests a run (MODEL-007) opens an iteration, which ends like any other.
    for (int n = 0; n < max_callbacks_per_run; ++n) {
      if (const auto event = next_callback()) {
        if (!callback(*event)) return Outcome::polled;  // the judge disagrees; it reports why
        continue;
      }
      if (model_.nesting() == 0) break;
      const auto ended = try_end();
      if (!ended || !nested_end(*ended, model_.clock())) return Outcome::polled;
    }
    if (auto ended = try_end()) return *ended;
    // No accepted ending: report one the model will refuse, so the judge names what is missing.
    return Outcome::polled;
  }

  [[nodiscard]] tain clock() const override { return model_.clock(); }
  [[nodiscard]] bool registered(const Ref& ref) const override { return model_.registered(ref); }
  [[nodiscard]] std::size_t registered_count() const override { return model_.registered_count(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const override {
    if (!model_.world().open(end)) return std::nullopt;
    return model_.world().unread(end);
  }

 private:
  // Clocks a wait may end at: unchanged, or some timer's expiry (the poll deadline).
  std::vector<tain> clock_candidates() const {
    std::vector<tain> clocks{model_.clock()};
    for (int i = 0; i < max_timers; ++i)
      if (model_.clock() < model_.timer(i).expires) clocks.push_back(model_.timer(i).expires);
    std::sort(clocks.begin(), clocks.end());
    return clocks;
  }

  std::optional<Outcome> try_end() {
    for (Outcome outcome : {Outcome::quit, Outcome::empty, Outcome::deadlock, Outcome::polled})
      for (const tain& clock : clock_candidates()) {
        LoopModel trial = model_;
        if (!trial.end_run(outcome, clock)) {
          model_ = trial;
          return outcome;
        }
      }
    return std::nullopt;
  }

  std::vector<Event> candidates() const {
    std::vector<Event> events;
    for (int i = 0; i < max_timers; ++i)
      events.push_back(Event{Ref{Kind::timer, static_cast<std::uint8_t>(i)}, Band::in, model_.timer(i).script});
    for (int i = 0; i < max_tasks; ++i)
      events.push_back(Event{Ref{Kind::task, static_cast<std::uint8_t>(i)}, Band::in, model_.task(i).script});
    for (int end = 0; end < max_ends; ++end)
      for (Band band : all_bands) {
        const int script = model_.fd(end).handler[static_cast<int>(band)];
        if (script >= 0) events.push_back(Event{Ref{Kind::fd, static_cast<std::uint8_t>(end)}, band, script});
      }
    return events;
  }

  std::optional<Event> next_callback() {
    for (const Event& event : candidates()) {
      LoopModel trial = model_;
      if (!trial.on_callback(event)) {
        model_ = trial;
        return event;
      }
    }
    return std::nullopt;
  }

  [[nodiscard]] bool closed_while_registered(int end) const { return kept_closed_[end] && model_.registered(fd_ref(end)); }
  static Ref fd_ref(int end) { return Ref{Kind::fd, static_cast<std::uint8_t>(end)}; }
  [[noreturn]] void fail(const std::string& message) const;
  std::string probe_fd(const Probe& probe, int end);
  void probe_registration(const Probe& probe);

  LoopModel model_{tain_epoch};
  bool kept_closed_[max_ends] = {};
  bool blocking_[max_ends] = {};
  bool default_fatal_handler_ = false;
};

// The spec's fatal path (FATAL-001): the handler gets the message, then the process aborts.
void ModelLoopAdapter::fail(const std::string& message) const {
  if (default_fatal_handler_) {
    const std::string line = "refloop: " + message + "\n";
    (void)!::write(2, line.data(), line.size());
  } else {
    report_fatal(message.c_str());
  }
  std::abort();
}

// What the spec says each probe does (conformance/README.md, "Probes"), on the model's state.
std::string ModelLoopAdapter::probe(const Probe& probe) {
  if (probe.name == "fatal") fail(probe.text);
  if (probe.name == "default-fatal-handler") {
    default_fatal_handler_ = true;
    return "";
  }
  if (probe.name == "backend-name") return "model";
  const Ref target = probe.op.target;
  if (target.kind == Kind::fd && probe.name != "register" && probe.name != "unregister" && probe.name != "set-handler")
    return probe_fd(probe, target.index);
  probe_registration(probe);
  return "";
}

// The C++ call a probe stands for and fatal.hpp's wording of its misuse (FATAL-003).
std::string misuse(const Probe& probe) {
  const Kind kind = probe.op.target.kind;
  const std::string object = kind == Kind::fd ? "fd" : kind == Kind::timer ? "timer" : "task";
  if (probe.name == "set-handler") {
    const Band band = probe.op.band;
    return std::string("Loop::set_handler_") + (band == Band::in ? "in" : band == Band::out ? "out" : "err") +
           ": called with fd which is not registered";
  }
  if (probe.name == "unregister")
    return "Loop::unregister_" + object + ": called with " +
           (kind == Kind::fd ? "fd which is not registered" : kind == Kind::timer ? "timer not on the heap" : "task not on a list");
  return "Loop::" + std::string(probe.name == "register-try" ? "register_fd_try" : "register_" + object) + ": called with " +
         (kind == Kind::fd ? "fd which is still registered" : kind == Kind::timer ? "timer still on the heap" : "task still on a list");
}

// [req:FD-002] [req:FATAL-003] misuse of registration is fatal, naming the call.
void ModelLoopAdapter::probe_registration(const Probe& probe) {
  const Ref target = probe.op.target;
  const bool registered = model_.registered(target);
  if (probe.name == "register") {
    if (registered) fail(misuse(probe));
    if (target.kind == Kind::fd && !model_.world().open(target.index) && !kept_closed_[target.index])
      fail("Loop::register_fd: called with invalid fd -1");
    model_.apply(op_on(Code::reg, target));
    if (target.kind == Kind::fd) blocking_[target.index] = false;
  } else if (probe.name == "unregister") {
    if (!registered) fail(misuse(probe));
    if (target.kind == Kind::fd && kept_closed_[target.index])  // [req:FD-010] epoll's answer
      fail("fd " + std::to_string(target.index) + " was closed while registered");
    model_.apply(op_on(Code::unreg, target));
  } else if (probe.name == "set-handler") {
    if (!registered) fail(misuse(probe));
    model_.apply(probe.op);
  }
}

std::string ModelLoopAdapter::probe_fd(const Probe& probe, int end) {
  const Ref target = fd_ref(end);
  if (probe.name == "register-negative") fail("Loop::register_fd: called with invalid fd -1");
  if (probe.name == "register-try") {
    if (model_.registered(target)) fail(misuse(probe));
    if (kept_closed_[end]) return "EBADF";  // [req:FD-003]
    if (!model_.world().open(end)) fail("Loop::register_fd_try: called with invalid fd -1");
    model_.apply(op_on(Code::reg, target));
    blocking_[end] = false;
    return "0";
  }
  if (probe.name == "register-try-high") return "0";  // the model has no FD_SETSIZE (BACKEND-010)
  if (probe.name == "close-keep") {
    kept_closed_[end] = true;
    if (!model_.registered(target)) model_.apply(op_on(Code::close, target));
  }
  if (probe.name == "clear-flags") blocking_[end] = true;
  if (probe.name == "flags") return blocking_[end] ? "blocking" : "nonblock cloexec";  // [req:FD-009]
  if (probe.name == "oobinline") return model_.world().channel(end).socket ? "oobinline off" : "not a socket";
  return "";
}

}  // namespace

std::unique_ptr<LoopAdapter> make_model_loop_adapter() { return std::make_unique<ModelLoopAdapter>(); }

}  // namespace refloop::conformance::loop_suite
