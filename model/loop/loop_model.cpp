// SPDX-License-Identifier: ISC
// The model's operations and its iteration (spec/loop.md "The iteration", LOOP-001..006,
// TIME-001..005): which step a callback belongs to, the check at step 3, the poll deadline and
// what the simulated clock must read after the poll. Steps 1 and 2 are in timer_task_model.cpp,
// the poll's readiness and the fd dispatch in fd_model.cpp.
#include "loop/loop_model.hpp"

#include <algorithm>

#include "loop/ops_text.hpp"

namespace refloop::model::loop {

namespace {

tain nanoseconds(std::uint64_t ns) { return tain::normalised(0, ns); }

tain shifted(const tain& base, std::int64_t delta) {
  if (delta >= 0) return base + nanoseconds(static_cast<std::uint64_t>(delta));
  return base - nanoseconds(static_cast<std::uint64_t>(-(delta + 1)) + 1);
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::polled: return "polled";
    case Outcome::quit: return "quit";
    case Outcome::empty: return "empty";
    case Outcome::deadlock: return "SimulatedDeadlock";
  }
  return "?";
}

}  // namespace

// A timer registered at a negative offset from the start (`reg t0 -1`) expires before the epoch;
// its distance is shown with a sign instead of as a wrapped unsigned number.
std::string format_time(const tain& t) {
  const bool before = t < tain_epoch;
  const tain distance = before ? tain_epoch - t : t - tain_epoch;
  return std::string(before ? "-" : "") + std::to_string(distance.sec()) + "s+" + std::to_string(distance.nano()) + "ns";
}

std::string describe(const Event& e) {
  std::string text = format_ref(e.object);
  if (e.object.kind == Kind::fd) text += e.band == Band::err ? ".err" : e.band == Band::in ? ".in" : ".out";
  return text + " (s" + std::to_string(e.script) + ")";
}

// implements: TIME-001 (the cache is read from the clock only when invalid)
tain LoopModel::now() {
  if (!now_valid_) {
    cached_now_ = clock_;
    now_valid_ = true;
  }
  return cached_now_;
}

void LoopModel::apply(const Op& op) {
  switch (op.code) {
    case Code::pipe: world_.create(false); return;
    case Code::socketpair: world_.create(true); return;
    case Code::close:
      if (world_.exists(op.target.index) && !fds_[op.target.index].registered) world_.close(op.target.index);
      return;
    case Code::advance: clock_ = clock_ + nanoseconds(static_cast<std::uint64_t>(op.amount)); return;
    case Code::script: scripts_[op.handler] = op.body; return;
    case Code::run: case Code::run_nowait: return;  // begin_run / end_run
    default: act(op); return;
  }
}

void LoopModel::act(const Op& op) {
  if (!applicable(op)) return;
  switch (op.code) {
    case Code::write: world_.write(op.target.index, static_cast<std::uint64_t>(op.amount)); return;
    case Code::read: world_.read(op.target.index, static_cast<std::uint64_t>(op.amount)); return;
    case Code::reg: register_object(op); return;
    case Code::unreg: unregister_object(op.target); return;
    case Code::set: set_handler(op); return;
    case Code::stamp: tasks_[op.target.index].epoch = epoch_; return;  // implements: TASK-005
    case Code::quit: quit_ = true; return;                                // implements: LOOP-004
    default: return;
  }
}

void LoopModel::register_object(const Op& op) {
  const int i = op.target.index;
  switch (op.target.kind) {
    case Kind::fd:
      if (world_.open(i) && !fds_[i].registered) fds_[i].registered = true;
      return;
    case Kind::timer:
      if (timers_[i].registered) return;
      timers_[i].registered = true;
      timers_[i].expires = shifted(now(), op.amount);
      timers_[i].polls_before = polls_;
      timers_[i].by_fd_handler = phase_ == Phase::fds;
      return;
    case Kind::task:
      if (tasks_[i].registered) return;
      tasks_[i].registered = true;
      push_task(i);
      return;
    case Kind::self: return;
  }
}

void LoopModel::unregister_object(const Ref& ref) {
  const int i = ref.index;
  switch (ref.kind) {
    case Kind::fd: {
      if (!fds_[i].registered) return;
      fds_[i].registered = false;  // implements: FD-004, FD-008 (no handler of it runs again)
      std::erase_if(pending_fds_, [i](const ReadyFd& r) { return r.end == i; });
      if (current_fd_ && current_fd_->end == i) current_fd_.reset();
      for (Frame& f : frames_)  // implements: LOOP-011 (also ends an enclosing fd's turn)
        if (f.current_fd && f.current_fd->end == i) f.current_fd.reset();
      return;
    }
    case Kind::timer:  // implements: TIMER-003 (a collected timer is cancelled)
      timers_[i].registered = false;
      std::erase(expired_, i);
      for (Frame& f : frames_) std::erase(f.expired, i);  // implements: LOOP-011 item 1
      return;
    case Kind::task:  // implements: TASK-003
      tasks_[i].registered = false;
      std::erase(pending_tasks_, i);
      std::erase(running_tasks_, i);
      for (Frame& f : frames_) std::erase(f.running_tasks, i);  // implements: LOOP-011 item 2
      return;
    case Kind::self: return;
  }
}

void LoopModel::set_handler(const Op& op) {
  const int i = op.target.index;
  switch (op.target.kind) {
    case Kind::fd: fds_[i].handler[static_cast<int>(op.band)] = op.handler; return;
    case Kind::timer: timers_[i].script = op.handler; return;
    case Kind::task: tasks_[i].script = op.handler; return;
    case Kind::self: return;
  }
}

void LoopModel::run_script(int script, const Ref& caller) { run_actions(scripts_[script], 0, caller); }

// implements: MODEL-007 (a `run` action nests an iteration, if the depth allows; the actions
// after it wait until that iteration ends)
void LoopModel::run_actions(const std::vector<Op>& actions, std::size_t from, const Ref& caller) {
  for (std::size_t i = from; i < actions.size(); ++i) {
    const Resolved resolved = resolve(actions[i], caller);
    if (!resolved.applies) continue;
    const Code code = resolved.op.code;
    if (code != Code::run && code != Code::run_nowait) {
      act(resolved.op);
      continue;
    }
    if (nesting() + 1 >= max_run_depth) continue;  // too deep: the action does nothing
    begin_nested(code == Code::run_nowait, std::vector<Op>(actions.begin() + static_cast<std::ptrdiff_t>(i) + 1, actions.end()), caller);
    return;
  }
}

// implements: LOOP-011 (the interrupted iteration keeps its batch, pass and fd turn)
void LoopModel::begin_nested(bool nowait, std::vector<Op> rest, const Ref& caller) {
  frames_.push_back(Frame{phase_, nowait_, predicted_, expired_, timer_ran_, stamp_, deadline_, surely_wakes_,
                          maybe_wakes_, saw_fd_callback_, current_fd_, current_last_band_, running_tasks_,
                          in_task_pass_, std::move(rest), caller});
  running_tasks_.clear();
  in_task_pass_ = false;
  begin_run(nowait);
}

// implements: LOOP-011 item 2 (after a nested pass no pass takes newcomers), then the script
// that began the nested run goes on
void LoopModel::end_nested() {
  Frame f = std::move(frames_.back());
  frames_.pop_back();
  phase_ = f.phase;
  nowait_ = f.nowait;
  predicted_ = f.predicted;
  expired_ = std::move(f.expired);
  timer_ran_ = f.timer_ran;
  stamp_ = f.stamp;
  deadline_ = f.deadline;
  surely_wakes_ = f.surely_wakes;
  maybe_wakes_ = f.maybe_wakes;
  saw_fd_callback_ = f.saw_fd_callback;
  current_fd_ = f.current_fd;
  current_last_band_ = f.current_last_band;
  running_tasks_ = std::move(f.running_tasks);
  in_task_pass_ = false;
  run_actions(f.rest, 0, f.caller);
}

bool LoopModel::in_enclosing_batch(int timer) const {
  for (const Frame& f : frames_)
    if (std::find(f.expired.begin(), f.expired.end(), timer) != f.expired.end()) return true;
  return false;
}

bool LoopModel::registered(const Ref& ref) const {
  switch (ref.kind) {
    case Kind::fd: return fds_[ref.index].registered;
    case Kind::timer: return timers_[ref.index].registered;
    case Kind::task: return tasks_[ref.index].registered;
    case Kind::self: return false;
  }
  return false;
}

// implements: LOOP-006 (fds with or without handlers, timers including a collected one, tasks)
std::size_t LoopModel::registered_count() const {
  std::size_t count = 0;
  for (const auto& f : fds_) count += f.registered;
  for (const auto& t : timers_) count += t.registered;
  for (const auto& k : tasks_) count += k.registered;
  return count;
}

// implements: LOOP-001 step 1 begins: the cached now, and the batch of due timers.
// A nested run's batch leaves out the enclosing batches' timers, and its fd list goes on from the
// enclosing round's (LOOP-011 items 1 and 3).
void LoopModel::begin_run(bool nowait) {
  phase_ = Phase::timers;
  nowait_ = nowait;
  saw_fd_callback_ = false;
  if (frames_.empty()) pending_fds_.clear();
  current_fd_.reset();
  expired_.clear();
  timer_ran_ = false;
  const tain current = now();
  for (int i = 0; i < max_timers; ++i)
    if (timers_[i].registered && timers_[i].expires <= current && !in_enclosing_batch(i)) expired_.push_back(i);
}

Verdict LoopModel::on_callback(const Event& event) {
  switch (event.object.kind) {
    case Kind::timer:
      if (phase_ != Phase::timers) return "[LOOP-001] timer callback " + describe(event) + " after step 1 of the iteration had ended";
      return on_timer(event);
    case Kind::task:
      if (auto v = finish_timers()) return v;
      if (phase_ != Phase::tasks) return "[LOOP-001] task callback " + describe(event) + " after step 2 of the iteration had ended";
      return on_task(event);
    case Kind::fd:
      if (auto v = finish_tasks()) return v;
      if (phase_ != Phase::fds) return "[LOOP-001] fd callback " + describe(event) + " although step 3 should have stopped the iteration";
      return on_fd(event);
    case Kind::self: break;
  }
  return std::nullopt;
}

// Step 1 ends: every collected timer ran or was cancelled (TIMER-002, TIMER-004). TIMER-007
// leaves open whether a timer that became due after the last poll began (registered by an fd
// handler, say) runs now or one iteration later, as in ivykis's epoll-timerfd, which skips step 1
// when its poll says no timer can have expired; so a step 1 in which no timer ran may be skipped
// when every due timer was registered by an fd handler since the last poll began. A timer
// registered from outside the loop, or by a timer or task handler, gets no such leniency; nor
// does an implementation whose traits say its order does not vary (MODEL-008).
Verdict LoopModel::finish_timers() {
  if (phase_ != Phase::timers) return std::nullopt;
  const bool all_new = std::all_of(expired_.begin(), expired_.end(), [this](int i) {
    return timers_[i].polls_before == polls_ && timers_[i].by_fd_handler;
  });
  // implements: TIMER-007 (the skipped step 1), MODEL-008 (only where the traits allow it)
  if (traits_.timer_task_order_may_vary && !timer_ran_ && all_new) expired_.clear();
  if (!expired_.empty())
    return "[TIMER-002] timer t" + std::to_string(expired_.front()) + " was due (expires " +
           format_time(timers_[expired_.front()].expires) + ", now " + format_time(cached_now_) + ") but did not run in step 1";
  begin_task_pass();
  phase_ = Phase::tasks;
  return std::nullopt;
}

// Step 2 ends: the pass ran every task due (TASK-002); then step 3 and, unless it stops, the poll.
Verdict LoopModel::finish_tasks() {
  if (auto v = finish_timers()) return v;
  if (phase_ != Phase::tasks) return std::nullopt;
  if (!running_tasks_.empty())
    return "[TASK-002] task k" + std::to_string(running_tasks_.front()) + " was due in this pass but did not run before the poll";
  in_task_pass_ = false;
  if (quit_) {  // implements: LOOP-003, LOOP-004, LOOP-011 item 4 (only the outermost stop consumes it)
    if (frames_.empty()) quit_ = false;
    predicted_ = Outcome::quit;
    phase_ = Phase::done;
  } else if (registered_count() == 0) {  // implements: LOOP-002
    predicted_ = Outcome::empty;
    phase_ = Phase::done;
  } else {
    predicted_ = Outcome::polled;
    take_poll_snapshot();
    phase_ = Phase::fds;
  }
  return std::nullopt;
}

// implements: LOOP-005
tain LoopModel::poll_deadline() const {
  if (nowait_ || !pending_tasks_.empty()) return stamp_;
  tain earliest = tain_infinite;
  for (int i = 0; i < max_timers; ++i)  // LOOP-011: an enclosing batch's timers are not this run's
    if (timers_[i].registered && timers_[i].expires < earliest && !in_enclosing_batch(i)) earliest = timers_[i].expires;
  return earliest;
}

Verdict LoopModel::end_run(Outcome observed, const tain& clock_after) {
  if (auto v = check_end(observed, clock_after)) return v;
  if (!frames_.empty()) end_nested();
  return std::nullopt;
}

Verdict LoopModel::check_end(Outcome observed, const tain& clock_after) {
  if (auto v = finish_tasks()) return v;
  const bool polled = phase_ == Phase::fds;
  phase_ = Phase::outside;
  if (!polled) {
    if (observed != predicted_)
      return std::string("[LOOP-001] run_once ended ") + outcome_name(observed) + ", the model expected " + outcome_name(predicted_);
    if (clock_after != clock_) return "[LOOP-001] the clock moved although the iteration stopped before the poll";
    return std::nullopt;
  }
  if (observed == Outcome::quit || observed == Outcome::empty)
    return std::string("[LOOP-001] run_once ended ") + outcome_name(observed) + " but step 3 should have let it poll";
  if (auto v = close_current_fd()) return v;
  if (auto v = missing_fd_callbacks()) return v;
  if (auto v = check_clock(observed, clock_after)) return v;
  clock_ = clock_after;
  return std::nullopt;
}

// implements: TIME-005, LOOP-005 (an idle wait moves the simulated clock by the wait; a wait
// forever with nothing ready is a SimulatedDeadlock; a wait that found fds ready does not move it)
Verdict LoopModel::check_clock(Outcome observed, const tain& clock_after) const {
  const bool forever = deadline_ >= tain_infinite;
  const tain wait = deadline_ <= stamp_ ? tain_zero : deadline_ - stamp_;
  const bool must_wake = saw_fd_callback_ || surely_wakes_;
  const bool may_idle = !must_wake;
  const bool may_wake = must_wake || maybe_wakes_;
  if (observed == Outcome::deadlock) {
    if (!(may_idle && forever)) return "[TIME-005] SimulatedDeadlock although an fd was ready or a deadline was set";
    if (clock_after != clock_) return "[TIME-005] the clock moved during a wait that ended in SimulatedDeadlock";
    return std::nullopt;
  }
  if (may_wake && clock_after == clock_) return std::nullopt;
  if (!may_idle) return "[TIME-005] the clock moved during a poll that found an fd ready: " + format_time(clock_) + " -> " + format_time(clock_after);
  if (forever) return "[TIME-005] nothing was ready and no deadline was set, but run_once returned without SimulatedDeadlock";
  if (clock_after != clock_ + wait)
    return "[TIME-005] after an idle wait until " + format_time(deadline_) + " the clock reads " + format_time(clock_after) +
           ", the model expected " + format_time(clock_ + wait);
  return std::nullopt;
}

}  // namespace refloop::model::loop
