// SPDX-License-Identifier: ISC
// The refloop adapter: refloop::Loop on a named backend over a SimulatedClock (spec/loop.md),
// with real nonblocking pipes and socket pairs, so readiness comes from the kernel. Each fd,
// timer and task handler is a function that names its object and script, so a handler change is
// a change of function pointer, exactly as an application sees it (FD-005, FD-007). On a backend
// whose deadlines are carried by a kernel timer (epoll-timerfd) the clock gets a nanosecond's nap
// (CLOCK-008), so that timer is set and waited for in every case, as on a real clock.
#include "loop_world.hpp"
#include "fatal_capture.hpp"
#include "probe_fds.hpp"
#include "refloop_loop.hpp"

#include <algorithm>
#include <vector>

#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/fatal.hpp"
#include "refloop/loop/loop.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using namespace model::loop;

class RefloopLoopAdapter;

struct Slot {
  RefloopLoopAdapter* owner = nullptr;
  Ref ref{};
};

void report(void* cookie, Band band, int script);

template <int B, int S>
void on_fd(void* cookie) { report(cookie, all_bands[B], S); }
template <int S>
void on_other(void* cookie) { report(cookie, Band::in, S); }

static_assert(max_scripts == 4, "one handler function per script below");
Handler fd_handler(Band band, int script) {
  static constexpr Handler table[3][4] = {
      {&on_fd<0, 0>, &on_fd<0, 1>, &on_fd<0, 2>, &on_fd<0, 3>},
      {&on_fd<1, 0>, &on_fd<1, 1>, &on_fd<1, 2>, &on_fd<1, 3>},
      {&on_fd<2, 0>, &on_fd<2, 1>, &on_fd<2, 2>, &on_fd<2, 3>}};
  return script < 0 ? nullptr : table[static_cast<int>(band)][script];
}
Handler other_handler(int script) {
  static constexpr Handler table[4] = {&on_other<0>, &on_other<1>, &on_other<2>, &on_other<3>};
  return table[script < 0 ? 0 : script];
}

tain shifted(const tain& base, std::int64_t delta) {
  if (delta >= 0) return base + tain::normalised(0, static_cast<std::uint64_t>(delta));
  return base - tain::normalised(0, static_cast<std::uint64_t>(-(delta + 1)) + 1);
}

class RefloopLoopAdapter final : public LoopAdapter {
 public:
  RefloopLoopAdapter(std::string_view backend, const kernel::SysCalls* sys)
      : loop_(LoopOptions{.clock = &clock_, .backend = backend, .sys = sys}) {
    const refloop::BackendTraits* traits = backend_traits(backend);
    if (traits != nullptr && !traits->timer_call.empty()) clock_.set_kernel_nap(tain::normalised(0, 1));
    timer_task_order_may_vary_ = traits == nullptr || traits->timer_task_order_may_vary;
    set_fatal_handler(&report_fatal);
    for (int i = 0; i < max_ends; ++i) bind(fd_slots_[i], Kind::fd, i, fds_[i].cookie);
    for (int i = 0; i < max_timers; ++i) {
      bind(timer_slots_[i], Kind::timer, i, timers_[i].cookie);
      timers_[i].handler = other_handler(0);
    }
    for (int i = 0; i < max_tasks; ++i) {
      bind(task_slots_[i], Kind::task, i, tasks_[i].cookie);
      tasks_[i].handler = other_handler(0);
    }
  }
  ~RefloopLoopAdapter() override = default;
  RefloopLoopAdapter(const RefloopLoopAdapter&) = delete;
  RefloopLoopAdapter& operator=(const RefloopLoopAdapter&) = delete;

  [[nodiscard]] std::string name() const override { return "refloop/" + std::string(loop_.backend_name()); }
  // MODEL-008: the backend's trait (refloop runs step 1 after every poll: false for all so far).
  [[nodiscard]] bool timer_task_order_may_vary() const override { return timer_task_order_may_vary_; }

  void act(const Op& op) override;
  [[nodiscard]] std::optional<std::string> unsupported_probe(const Probe& probe) const override {
    if (is_ivykis_probe(probe.name)) return "probe " + probe.name + " is about the <iv.h> API";
    return std::nullopt;
  }
  std::string probe(const Probe& probe) override;

  Outcome run(bool nowait, const Callback& callback, const NestedEnd& nested_end) override {
    callback_ = &callback;
    nested_end_ = &nested_end;
    stopped_ = false;
    const Outcome outcome = run_once(nowait);
    callback_ = nullptr;
    nested_end_ = nullptr;
    return outcome;
  }

  [[nodiscard]] tain clock() const override { return clock_.now(); }

  [[nodiscard]] bool registered(const Ref& ref) const override {
    switch (ref.kind) {
      case Kind::fd: return Loop::registered(fds_[ref.index]);
      case Kind::timer: return Loop::registered(timers_[ref.index]);
      case Kind::task: return Loop::registered(tasks_[ref.index]);
      case Kind::self: return false;
    }
    return false;
  }
  [[nodiscard]] std::size_t registered_count() const override { return loop_.registered_count(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const override {
    return channels_.unread(end);
  }

  // A callback: the judge first, then the script acts on the loop.
  void callback(const Ref& ref, Band band, int script) {
    if (stopped_ || callback_ == nullptr) return;
    if (!(*callback_)(Event{ref, band, script})) {
      stopped_ = true;
      return;
    }
    const std::vector<Op> actions = scripts_[script];
    for (const Op& action : actions) {
      const Resolved resolved = resolve(action, ref);
      if (!resolved.applies) continue;
      const Code code = resolved.op.code;
      if (code == Code::run || code == Code::run_nowait) {
        nested_run(code == Code::run_nowait);
        if (stopped_) return;
      } else {
        act(resolved.op);
      }
    }
  }

 private:
  void bind(Slot& slot, Kind kind, int index, void*& cookie) {
    slot = Slot{this, Ref{kind, static_cast<std::uint8_t>(index)}};
    cookie = &slot;
  }

  // One Loop::run_once, top-level or nested in a callback (LOOP-011).
  Outcome run_once(bool nowait) {
    ++runs_in_progress_;
    Outcome outcome = Outcome::polled;
    try {
      const Step s = loop_.run_once(nowait ? RunMode::nowait : RunMode::wait);
      outcome = s == Step::quit ? Outcome::quit : s == Step::empty ? Outcome::empty : Outcome::polled;
    } catch (const SimulatedDeadlock&) {
      outcome = Outcome::deadlock;
    }
    --runs_in_progress_;
    return outcome;
  }

  // [req:MODEL-007] a script's `run`: nested while fewer than max_run_depth runs are in progress.
  void nested_run(bool nowait) {
    if (runs_in_progress_ >= max_run_depth) return;
    const Outcome outcome = run_once(nowait);
    if (stopped_ || nested_end_ == nullptr) return;
    if (!(*nested_end_)(outcome, clock_.now())) stopped_ = true;
  }

  void register_object(const Ref& ref, std::int64_t delay);
  void unregister_object(const Ref& ref);
  void set_handler(const Op& op);
  std::string probe_registration(const Probe& probe);
  std::string register_try_high(Fd& fd);

  mutable SimulatedClock clock_;  // mutable: now() is not const, and clock() only reads it
  Fd fds_[max_ends];
  Timer timers_[max_timers];
  Task tasks_[max_tasks];
  Slot fd_slots_[max_ends];
  Slot timer_slots_[max_timers];
  Slot task_slots_[max_tasks];
  LoopWorld channels_;
  std::vector<Op> scripts_[max_scripts];
  const Callback* callback_ = nullptr;
  const NestedEnd* nested_end_ = nullptr;
  int runs_in_progress_ = 0;
  bool stopped_ = false;
  bool timer_task_order_may_vary_ = true;
  Loop loop_;  // declared after the objects it may hold, so it is destroyed first
};

void report(void* cookie, Band band, int script) {
  auto* slot = static_cast<Slot*>(cookie);
  slot->owner->callback(slot->ref, band, script);
}

void RefloopLoopAdapter::act(const Op& op) {
  if (!applicable(op)) return;
  if (channels_.apply(op, [this](int end) { return Loop::registered(fds_[end]); })) {
    for (int end = 0; end < max_ends; ++end)
      if (channels_.fd(end) >= 0) fds_[end].fd = channels_.fd(end);
    return;
  }
  const int i = op.target.index;
  switch (op.code) {
    case Code::reg: register_object(op.target, op.amount); return;
    case Code::unreg: unregister_object(op.target); return;
    case Code::set: set_handler(op); return;
    case Code::stamp: loop_.stamp_task(tasks_[i]); return;
    case Code::advance: clock_.advance(tain::normalised(0, static_cast<std::uint64_t>(op.amount))); return;
    case Code::quit: loop_.quit(); return;
    case Code::script: scripts_[op.handler] = op.body; return;
    case Code::run: case Code::run_nowait: return;
    default: return;  // the world operations, done above
  }
}





void RefloopLoopAdapter::register_object(const Ref& ref, std::int64_t delay) {
  const int i = ref.index;
  switch (ref.kind) {
    case Kind::fd:
      if (channels_.fd(i) >= 0 && !Loop::registered(fds_[i])) loop_.register_fd(fds_[i]);
      return;
    case Kind::timer:
      if (Loop::registered(timers_[i])) return;
      timers_[i].expires = shifted(loop_.now(), delay);
      loop_.register_timer(timers_[i]);
      return;
    case Kind::task:
      if (!Loop::registered(tasks_[i])) loop_.register_task(tasks_[i]);
      return;
    case Kind::self: return;
  }
}

void RefloopLoopAdapter::unregister_object(const Ref& ref) {
  const int i = ref.index;
  switch (ref.kind) {
    case Kind::fd:
      if (Loop::registered(fds_[i])) loop_.unregister_fd(fds_[i]);
      return;
    case Kind::timer:
      if (Loop::registered(timers_[i])) loop_.unregister_timer(timers_[i]);
      return;
    case Kind::task:
      if (Loop::registered(tasks_[i])) loop_.unregister_task(tasks_[i]);
      return;
    case Kind::self: return;
  }
}

// Before registration an fd's handlers are plain fields; afterwards only the setters change
// them (FD-001, FD-005). Timer and task handlers may change at any time.
void RefloopLoopAdapter::set_handler(const Op& op) {
  const int i = op.target.index;
  switch (op.target.kind) {
    case Kind::fd: {
      Fd& fd = fds_[i];
      const Handler handler = fd_handler(op.band, op.handler);
      const bool live = Loop::registered(fd);
      if (op.band == Band::in) live ? loop_.set_handler_in(fd, handler) : void(fd.handler_in = handler);
      if (op.band == Band::out) live ? loop_.set_handler_out(fd, handler) : void(fd.handler_out = handler);
      if (op.band == Band::err) live ? loop_.set_handler_err(fd, handler) : void(fd.handler_err = handler);
      return;
    }
    case Kind::timer: timers_[i].handler = other_handler(op.handler); return;
    case Kind::task: tasks_[i].handler = other_handler(op.handler); return;
    case Kind::self: return;
  }
}

// Probes call the loop without the adapter's usual checks (conformance/README.md, "Probes").
std::string RefloopLoopAdapter::probe(const Probe& probe) {
  const int i = probe.op.target.index;
  const bool is_fd = probe.op.target.kind == Kind::fd;
  if (probe.name == "fatal") fatal("%s", probe.text.c_str());
  if (probe.name == "default-fatal-handler") {
    set_fatal_handler(nullptr);
    return "";
  }
  if (probe.name == "backend-name") return std::string(loop_.backend_name());
  if (!is_fd || probe.name.rfind("register", 0) == 0 || probe.name == "unregister" || probe.name == "set-handler")
    return probe_registration(probe);
  return channel_end_probe(probe.name, i, channels_, fds_[i].fd).value_or("");
}

std::string RefloopLoopAdapter::probe_registration(const Probe& probe) {
  const int i = probe.op.target.index;
  switch (probe.op.target.kind) {
    case Kind::fd:
      if (probe.name == "register-negative") fds_[i].fd = -1;
      if (probe.name == "register" || probe.name == "register-negative") loop_.register_fd(fds_[i]);
      if (probe.name == "register-try") {
        const int error = loop_.register_fd_try(fds_[i]);
        return error == 0 ? "0" : errno_name(error);
      }
      if (probe.name == "register-try-high") return register_try_high(fds_[i]);
      if (probe.name == "unregister") loop_.unregister_fd(fds_[i]);
      if (probe.name == "set-handler") {
        const Handler handler = fd_handler(probe.op.band, probe.op.handler);
        if (probe.op.band == Band::in) loop_.set_handler_in(fds_[i], handler);
        if (probe.op.band == Band::out) loop_.set_handler_out(fds_[i], handler);
        if (probe.op.band == Band::err) loop_.set_handler_err(fds_[i], handler);
      }
      return "";
    case Kind::timer:
      timers_[i].expires = loop_.now();
      if (probe.name == "register") loop_.register_timer(timers_[i]);
      if (probe.name == "unregister") loop_.unregister_timer(timers_[i]);
      return "";
    case Kind::task:
      if (probe.name == "register") loop_.register_task(tasks_[i]);
      if (probe.name == "unregister") loop_.unregister_task(tasks_[i]);
      return "";
    case Kind::self: return "";
  }
  return "";
}

// [req:BACKEND-010] the same channel end, duplicated at or above FD_SETSIZE.
std::string RefloopLoopAdapter::register_try_high(Fd& fd) {
  Fd high;
  high.fd = dup_high(fd.fd);
  if (high.fd < 0) return "cannot duplicate above FD_SETSIZE";
  high.handler_in = fd.handler_in;
  const int error = loop_.register_fd_try(high);
  if (error == 0) loop_.unregister_fd(high);
  ::close(high.fd);
  return error == 0 ? "0" : errno_name(error);
}

}  // namespace

std::unique_ptr<LoopAdapter> make_refloop_loop_adapter(std::string_view backend, const kernel::SysCalls* sys) {
  return std::make_unique<RefloopLoopAdapter>(backend, sys);
}

}  // namespace refloop::conformance::loop_suite
