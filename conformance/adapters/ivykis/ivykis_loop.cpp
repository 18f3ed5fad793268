// SPDX-License-Identifier: ISC
// The ivykis adapter: written against <iv.h> only, and compiled twice, with refloop's <iv.h>
// (refloop::ivykis) and with Debian's /usr/include/iv.h (-livykis). ivykis has no run_once and no
// simulated clock, so one `run` of the vocabulary is emulated with two iv_main calls on the real
// monotonic clock (conformance/README.md, "The ivykis adapter"):
//  A. steps 1-3: an internal task, registered last, calls iv_quit, so iv_main runs the expired
//     timers and the task pass and returns at its quit check without polling;
//  B. steps 4-5: due timers and pending tasks are set aside (they would run before the poll),
//     iv_main polls and dispatches, and every timer or task callback after that belongs to the
//     next iteration: it is deferred (registered again after iv_main returns) and stops the loop.
// Case time is scaled: one case nanosecond is `scale_ns` of real time; an idle wait is reported as
// ending exactly at its deadline when it woke no earlier and at most `tolerance` later
// [req:ADAPTER-010] (what spec/adapter.md asks of a real-time adapter in another process).
#include "fatal_capture.hpp"
#include "ivykis_loop_internal.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {
namespace ivykis_adapter {

template <int B, int S>
void on_fd(void* cookie) { current->on_case_callback(static_cast<Slot*>(cookie)->ref, all_bands[B], S); }
template <int S>
void on_other(void* cookie) { current->on_case_callback(static_cast<Slot*>(cookie)->ref, Band::in, S); }
static_assert(max_scripts == 4, "one handler function per script below");
HandlerFn fd_handler(Band band, int script) {
  static constexpr HandlerFn table[3][4] = {
      {&on_fd<0, 0>, &on_fd<0, 1>, &on_fd<0, 2>, &on_fd<0, 3>},
      {&on_fd<1, 0>, &on_fd<1, 1>, &on_fd<1, 2>, &on_fd<1, 3>},
      {&on_fd<2, 0>, &on_fd<2, 1>, &on_fd<2, 2>, &on_fd<2, 3>}};
  return script < 0 ? nullptr : table[static_cast<int>(band)][script];
}
HandlerFn other_handler(int script) {
  static constexpr HandlerFn table[4] = {&on_other<0>, &on_other<1>, &on_other<2>, &on_other<3>};
  return table[script < 0 ? 0 : script];
}
void stop_task_handler(void*) { current->on_stop_task(); }
void ready_fd_handler(void*) { current->on_ready_fd(); }
void guard_handler(void*) { current->on_guard(); }


IvykisLoopAdapter::IvykisLoopAdapter(std::string implementation, std::string method)
    : implementation_(std::move(implementation)), method_(std::move(method)) {
  current = this;
  for (auto& bands : fd_script_) std::fill(std::begin(bands), std::end(bands), -1);
  iv_set_fatal_msg_handler(&report_fatal);  // the runner observes fatal errors (isolation.cpp)
  iv_init();
  const char* chosen = iv_poll_method_name();
  // [req:BACKEND-007] refloop's <iv.h> must honour IV_EXCLUDE_POLL_METHOD: a wrong method is a
  // failure there (the backend-name probe shows it), and only another implementation's missing
  // method makes the column UNSUPPORTED.
  if ((chosen == nullptr || method_ != chosen) && implementation_ != "refloop-iv")
    method_problem_ = "poll method " + method_ + " is not available here (ivykis chose " +
                      (chosen ? chosen : "none") + ")";
  for (int i = 0; i < max_ends; ++i) {
    IV_FD_INIT(&fds_[i]);
    fd_slots_[i].ref = Ref{Kind::fd, static_cast<std::uint8_t>(i)};
    fds_[i].cookie = &fd_slots_[i];
  }
  for (int i = 0; i < max_timers; ++i) {
    IV_TIMER_INIT(&timers_[i]);
    timer_slots_[i].ref = Ref{Kind::timer, static_cast<std::uint8_t>(i)};
    timers_[i].cookie = &timer_slots_[i];
    timers_[i].handler = other_handler(0);
  }
  for (int i = 0; i < max_tasks; ++i) {
    IV_TASK_INIT(&tasks_[i]);
    task_slots_[i].ref = Ref{Kind::task, static_cast<std::uint8_t>(i)};
    tasks_[i].cookie = &task_slots_[i];
    tasks_[i].handler = other_handler(0);
  }
  IV_TASK_INIT(&stop_task_);
  stop_task_.handler = stop_task_handler;
  IV_TIMER_INIT(&guard_);
  guard_.handler = guard_handler;
  IV_FD_INIT(&ready_fd_);
  if (::pipe2(ready_pipe_, O_NONBLOCK | O_CLOEXEC) == 0) {
    (void)!::write(ready_pipe_[1], "x", 1);  // never read: the read end stays ready
    ready_fd_.fd = ready_pipe_[0];
    ready_fd_.handler_in = ready_fd_handler;
  }
}

IvykisLoopAdapter::~IvykisLoopAdapter() {
  for (auto& fd : fds_)
    if (iv_fd_registered(&fd)) iv_fd_unregister(&fd);
  for (auto& timer : timers_)
    if (iv_timer_registered(&timer)) iv_timer_unregister(&timer);
  for (auto& task : tasks_)
    if (iv_task_registered(&task)) iv_task_unregister(&task);
  iv_deinit();
  for (int fd : ready_pipe_)
    if (fd >= 0) ::close(fd);
  current = nullptr;
}

std::optional<std::string> IvykisLoopAdapter::unsupported(const Op& op) const {
  if (method_problem_) return method_problem_;
  if (op.code == Code::advance && op.amount * scale_ns > max_advance_ns)
    return "advance " + std::to_string(op.amount) + " would sleep over a second of real time";
  return std::nullopt;
}

void IvykisLoopAdapter::act(const Op& op) {
  if (!applicable(op)) return;
  if (channels_.apply(op, [this](int end) { return iv_fd_registered(&fds_[end]) != 0; })) {
    for (int end = 0; end < max_ends; ++end)
      if (channels_.fd(end) >= 0) fds_[end].fd = channels_.fd(end);
    return;
  }
  const int i = op.target.index;
  switch (op.code) {
    case Code::reg: register_object(op.target, op.amount); return;
    case Code::unreg: unregister_object(op.target); return;
    case Code::set: set_handler(op); return;
    case Code::stamp:
      // IV_TASK_INIT stamps a task (IVAPI-014); on a registered task it would corrupt the list.
      if (!iv_task_registered(&tasks_[i]) && !hidden(op.target)) IV_TASK_INIT(&tasks_[i]);
      return;
    case Code::advance: {
      const timespec pause = from_ns(op.amount * scale_ns);
      nanosleep(&pause, nullptr);
      virtual_ns_ += static_cast<std::uint64_t>(op.amount);
      return;
    }
    case Code::quit:
      case_quit_ = true;
      if (phase_ != Phase::outside) iv_quit();
      return;
    case Code::script: scripts_[op.handler] = op.body; return;
    case Code::run: case Code::run_nowait: return;
    default: return;  // the world operations, done above
  }
}





void IvykisLoopAdapter::register_task(int i) {
  iv_task_register(&tasks_[i]);
  task_order_.push_back(i);
}
void IvykisLoopAdapter::unregister_task(int i) {
  iv_task_unregister(&tasks_[i]);
  task_order_.erase(std::remove(task_order_.begin(), task_order_.end(), i), task_order_.end());
}

// Objects set aside by the emulation are registered as far as the case is concerned: registering
// one does nothing, and unregistering one means it is not put back.
bool IvykisLoopAdapter::hidden(const Ref& ref) const {
  auto holds = [&ref](const std::vector<int>& list) { return std::find(list.begin(), list.end(), ref.index) != list.end(); };
  if (ref.kind == Kind::timer) return holds(not_due_) || holds(hidden_timers_);
  if (ref.kind == Kind::task) return holds(hidden_tasks_);
  return false;
}
void IvykisLoopAdapter::unhide(const Ref& ref) {
  for (auto* list : {&not_due_, &hidden_timers_, &hidden_tasks_}) {
    if ((list == &hidden_tasks_) != (ref.kind == Kind::task)) continue;
    list->erase(std::remove(list->begin(), list->end(), ref.index), list->end());
  }
}

void IvykisLoopAdapter::register_object(const Ref& ref, std::int64_t delay) {
  const int i = ref.index;
  if (hidden(ref)) return;
  if (ref.kind == Kind::fd && channels_.fd(i) >= 0 && !iv_fd_registered(&fds_[i])) iv_fd_register(&fds_[i]);
  if (ref.kind == Kind::task && !iv_task_registered(&tasks_[i])) register_task(i);
  if (ref.kind == Kind::timer && !iv_timer_registered(&timers_[i])) {
    iv_validate_now();
    timers_[i].expires = from_ns(to_ns(iv_now) + delay * scale_ns);
    timer_virtual_[i] = static_cast<std::int64_t>(virtual_ns_) + delay;
    iv_timer_register(&timers_[i]);
  }
}

void IvykisLoopAdapter::unregister_object(const Ref& ref) {
  const int i = ref.index;
  if (hidden(ref)) {
    unhide(ref);
    return;
  }
  if (ref.kind == Kind::fd && iv_fd_registered(&fds_[i])) iv_fd_unregister(&fds_[i]);
  if (ref.kind == Kind::task && iv_task_registered(&tasks_[i])) unregister_task(i);
  if (ref.kind == Kind::timer && iv_timer_registered(&timers_[i])) iv_timer_unregister(&timers_[i]);
}

// Before registration an fd's handlers are plain fields; afterwards only the setters (IVAPI-010).
void IvykisLoopAdapter::set_handler(const Op& op) {
  const int i = op.target.index;
  if (op.target.kind == Kind::timer) timers_[i].handler = other_handler(op.handler);
  if (op.target.kind == Kind::task) tasks_[i].handler = other_handler(op.handler);
  if (op.target.kind != Kind::fd) return;
  fd_script_[i][static_cast<int>(op.band)] = op.handler;
  iv_fd& fd = fds_[i];
  const HandlerFn handler = fd_handler(op.band, op.handler);
  const bool live = iv_fd_registered(&fd) != 0;
  if (op.band == Band::in) live ? iv_fd_set_handler_in(&fd, handler) : void(fd.handler_in = handler);
  if (op.band == Band::out) live ? iv_fd_set_handler_out(&fd, handler) : void(fd.handler_out = handler);
  if (op.band == Band::err) live ? iv_fd_set_handler_err(&fd, handler) : void(fd.handler_err = handler);
}

bool IvykisLoopAdapter::registered(const Ref& ref) const {
  // The iv_*_registered functions take non-const pointers.
  auto* self = const_cast<IvykisLoopAdapter*>(this);
  switch (ref.kind) {
    case Kind::fd: return iv_fd_registered(&self->fds_[ref.index]) != 0;
    case Kind::timer: return iv_timer_registered(&self->timers_[ref.index]) != 0;
    case Kind::task: return iv_task_registered(&self->tasks_[ref.index]) != 0;
    case Kind::self: return false;
  }
  return false;
}

std::size_t IvykisLoopAdapter::registered_count() const {
  std::size_t n = 0;
  for (int i = 0; i < max_ends; ++i) n += registered(Ref{Kind::fd, static_cast<std::uint8_t>(i)});
  for (int i = 0; i < max_timers; ++i) n += registered(Ref{Kind::timer, static_cast<std::uint8_t>(i)});
  for (int i = 0; i < max_tasks; ++i) n += registered(Ref{Kind::task, static_cast<std::uint8_t>(i)});
  return n;
}

// A case callback: in the continuation of B it belongs to the next iteration and is deferred;
// otherwise the judge sees it, and its script acts.
void IvykisLoopAdapter::on_case_callback(const Ref& ref, Band band, int script) {
  if (ref.kind == Kind::task)
    task_order_.erase(std::remove(task_order_.begin(), task_order_.end(), ref.index), task_order_.end());
  if (phase_ == Phase::poll && ref.kind != Kind::fd) phase_ = Phase::continuation;
  if (phase_ == Phase::continuation) {
    (ref.kind == Kind::task ? deferred_tasks_ : deferred_timers_).push_back(ref.index);
    iv_quit();
    return;
  }
  if (ref.kind == Kind::fd) {
    saw_fd_ = true;
    if (phase_ == Phase::poll) arm_stop();
  }
  if (ref.kind == Kind::timer && monotonic_ns() < to_ns(timers_[ref.index].expires))
    problem_ = "[TIME-004] " + format_ref(ref) + " fired before the clock reached its expiry";
  if (stopped_ || callback_ == nullptr) return;
  if (!(*callback_)(Event{ref, band, script})) {
    stopped_ = true;
    return;
  }
  run_script(script, ref);
}

void IvykisLoopAdapter::run_script(int script, const Ref& caller) {
  const std::vector<Op> actions = scripts_[script];
  for (const Op& action : actions) {
    const Resolved resolved = resolve(action, caller);
    if (resolved.applies) act(resolved.op);
  }
}

void IvykisLoopAdapter::arm_stop() {
  if (!iv_task_registered(&stop_task_)) iv_task_register(&stop_task_);
}
void IvykisLoopAdapter::on_stop_task() { iv_quit(); }
void IvykisLoopAdapter::on_ready_fd() {
  if (phase_ == Phase::poll) arm_stop();
}
void IvykisLoopAdapter::on_guard() {
  // An fd callback of this poll came first: the poll was not idle, the guard only expired while
  // the process stalled (qemu-user on a loaded machine), and the stop task that callback armed
  // ends iv_main.
  if (saw_fd_) return;
  guard_fired_ = true;
  phase_ = Phase::continuation;
  iv_quit();
}

Outcome IvykisLoopAdapter::run(bool nowait, const Callback& callback, const NestedEnd&) {
  callback_ = &callback;
  stopped_ = false;
  Outcome outcome = steps_1_to_3();
  if (outcome == Outcome::polled) {
    poll_and_dispatch(nowait);
    if (guard_fired_) outcome = Outcome::deadlock;
  }
  callback_ = nullptr;
  phase_ = Phase::outside;
  return outcome;
}

// A: expired timers and the task pass, then the check (LOOP-001 steps 1-3).
// Timers the case's clock has not reached wait outside, in case real time has passed their expiry
// (a loaded machine): step 1 must run exactly the timers due on the case's clock.
Outcome IvykisLoopAdapter::steps_1_to_3() {
  phase_ = Phase::steps_1_to_3;
  not_due_.clear();
  for (int i = 0; i < max_timers; ++i)
    if (iv_timer_registered(&timers_[i]) && timer_virtual_[i] > static_cast<std::int64_t>(virtual_ns_)) {
      iv_timer_unregister(&timers_[i]);
      not_due_.push_back(i);
    }
  iv_task_register(&stop_task_);
  iv_main();
  if (iv_task_registered(&stop_task_)) iv_task_unregister(&stop_task_);
  for (int i : not_due_)
    if (!iv_timer_registered(&timers_[i])) iv_timer_register(&timers_[i]);
  not_due_.clear();
  if (case_quit_) {
    case_quit_ = false;
    return Outcome::quit;
  }
  return registered_count() == 0 ? Outcome::empty : Outcome::polled;
}

// Due timers and pending tasks would run before B's poll; they wait outside the loop instead. So
// do timers whose real expiry has passed although the case's clock has not reached them (real
// time ran on between the operations); for those the wait is still reported as ending at the
// deadline. Sets hidden_due_ and hidden_overtaken_ to say which kinds were set aside.
void IvykisLoopAdapter::set_aside() {
  hidden_tasks_ = task_order_;
  for (int i : hidden_tasks_) iv_task_unregister(&tasks_[i]);
  task_order_.clear();
  hidden_timers_.clear();
  hidden_due_ = hidden_overtaken_ = false;
  const std::int64_t soon = monotonic_ns() + overtaken_margin_ns;
  for (int i = 0; i < max_timers; ++i) {
    if (!iv_timer_registered(&timers_[i])) continue;
    const bool due = timer_virtual_[i] <= static_cast<std::int64_t>(virtual_ns_);
    if (!due && to_ns(timers_[i].expires) > soon) continue;
    (due ? hidden_due_ : hidden_overtaken_) = true;
    iv_timer_unregister(&timers_[i]);
    hidden_timers_.push_back(i);
  }
}

// Pending tasks in FIFO order: those set aside first, then those the continuation deferred.
void IvykisLoopAdapter::restore() {
  std::vector<int> order = hidden_tasks_;
  for (int i : task_order_) order.push_back(i);
  for (int i : deferred_tasks_) order.push_back(i);
  for (int i : task_order_) iv_task_unregister(&tasks_[i]);
  task_order_.clear();
  for (int i : order)
    if (!iv_task_registered(&tasks_[i])) register_task(i);
  for (int i : hidden_timers_)
    if (!iv_timer_registered(&timers_[i])) iv_timer_register(&timers_[i]);
  for (int i : deferred_timers_)
    if (!iv_timer_registered(&timers_[i])) iv_timer_register(&timers_[i]);
  hidden_tasks_.clear();
  hidden_timers_.clear();
  deferred_tasks_.clear();
  deferred_timers_.clear();
}

// The poll did not wait for a timer that real time had nearly reached; sleep until its real expiry
// has passed, so the next iteration's step 1 finds it due, as the reported clock says.
void IvykisLoopAdapter::finish_overtaken_wait(std::int64_t deadline) {
  for (int i = 0; i < max_timers; ++i) {
    if (!iv_timer_registered(&timers_[i]) || timer_virtual_[i] != deadline) continue;
    const std::int64_t left = to_ns(timers_[i].expires) - monotonic_ns();
    if (left > 0) {
      const timespec pause = from_ns(left);
      nanosleep(&pause, nullptr);
    }
  }
  iv_invalidate_now();
}

// B: the poll and the dispatch (LOOP-001 steps 4-5), with the clock reported on the case scale.
void IvykisLoopAdapter::poll_and_dispatch(bool nowait) {
  std::optional<std::int64_t> deadline;  // case ns
  for (int i = 0; i < max_timers; ++i)
    if (iv_timer_registered(&timers_[i]) && (!deadline || timer_virtual_[i] < *deadline)) deadline = timer_virtual_[i];
  set_aside();
  const bool overtaken = hidden_overtaken_;
  const bool immediate = nowait || !hidden_tasks_.empty() || hidden_due_;
  if (immediate || overtaken) iv_fd_register(&ready_fd_);
  iv_validate_now();
  const std::int64_t started = to_ns(iv_now);
  if (!immediate && !overtaken && !deadline) {
    guard_.expires = from_ns(started + deadlock_guard_ns);
    iv_timer_register(&guard_);
  }
  phase_ = Phase::poll;
  guard_fired_ = saw_fd_ = false;
  iv_main();
  const std::int64_t woke = monotonic_ns();
  if (iv_fd_registered(&ready_fd_)) iv_fd_unregister(&ready_fd_);
  if (iv_timer_registered(&guard_)) iv_timer_unregister(&guard_);
  if (iv_task_registered(&stop_task_)) iv_task_unregister(&stop_task_);
  restore();
  if (immediate || saw_fd_ || guard_fired_ || !deadline) return;
  if (overtaken) finish_overtaken_wait(*deadline);
  // An idle wait: it ends at the deadline, never earlier, at most `tolerance` later (TIME-004).
  const std::int64_t wanted = started + (*deadline - static_cast<std::int64_t>(virtual_ns_)) * scale_ns;
  if (!overtaken && woke > wanted + tolerance_ns)
    problem_ = "[TIME-004] the idle wait ended " + std::to_string((woke - wanted) / 1000) + " us after its deadline";
  if (*deadline > static_cast<std::int64_t>(virtual_ns_)) virtual_ns_ = static_cast<std::uint64_t>(*deadline);
}

}  // namespace ivykis_adapter

std::unique_ptr<LoopAdapter> make_ivykis_loop_adapter(const std::string& implementation, const std::string& method) {
  return std::make_unique<ivykis_adapter::IvykisLoopAdapter>(implementation, method);
}

}  // namespace refloop::conformance::loop_suite
