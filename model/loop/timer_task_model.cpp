// SPDX-License-Identifier: ISC
// Steps 1 and 2 of the model's iteration: expired timers (TIMER-002..006) and the task pass
// with the epoch rule (TASK-002..005). Timers: a callback is accepted when the timer is in the
// batch collected at the start of step 1 and no timer left in the batch expires earlier; equal
// expiries may run in any order. Tasks are exact: FIFO, joined by tasks registered during the
// pass unless they already ran in it.
#include <algorithm>
#include <string>

#include "loop/loop_model.hpp"

namespace refloop::model::loop {

namespace {
std::string timer_name(int i) { return "t" + std::to_string(i); }
std::string task_name(int i) { return "k" + std::to_string(i); }
}  // namespace

// implements: TIMER-002, TIMER-003, TIMER-004, TIMER-006
Verdict LoopModel::on_timer(const Event& event) {
  const int i = event.object.index;
  const TimerModel& timer = timers_[i];
  if (std::find(expired_.begin(), expired_.end(), i) == expired_.end()) {
    if (!timer.registered) return "[TIMER-003] " + describe(event) + " ran but the timer is not registered (cancelled or already run)";
    if (timer.expires > cached_now_) return "[TIMER-002] " + describe(event) + " ran before its expiry (TIME-004)";
    return "[TIMER-004] " + describe(event) + " was registered during step 1 and ran in the same step";
  }
  for (int other : expired_)
    if (timers_[other].expires < timer.expires)
      return "[TIMER-006] " + describe(event) + " ran before " + timer_name(other) + ", which expires earlier";
  if (event.script != timer.script)
    return "[TIMER-001] " + describe(event) + " ran, but the timer's handler is s" + std::to_string(timer.script);
  std::erase(expired_, i);
  timer_ran_ = true;
  timers_[i].registered = false;  // implements: TIMER-004 (unregistered before its handler runs)
  run_script(event.script, event.object);
  return std::nullopt;
}

// implements: TASK-004 (a task registered during the pass joins it unless it already ran in it)
void LoopModel::push_task(int i) {
  if (in_task_pass_ && tasks_[i].epoch != epoch_) {
    running_tasks_.push_back(i);
  } else {
    pending_tasks_.push_back(i);
  }
}

void LoopModel::begin_task_pass() {
  ++epoch_;
  in_task_pass_ = true;
  running_tasks_.insert(running_tasks_.end(), pending_tasks_.begin(), pending_tasks_.end());
  pending_tasks_.clear();
}

// implements: TASK-002 (FIFO, each unregistered before its handler runs)
Verdict LoopModel::on_task(const Event& event) {
  const int i = event.object.index;
  if (running_tasks_.empty() || running_tasks_.front() != i) {
    const std::string due = running_tasks_.empty() ? "no task" : task_name(running_tasks_.front());
    return "[TASK-002] " + describe(event) + " ran, but the task due next in this pass is " + due +
           (tasks_[i].registered ? " (TASK-004: it waits for the next pass)" : " (it is not registered)");
  }
  if (event.script != tasks_[i].script)
    return "[TASK-001] " + describe(event) + " ran, but the task's handler is s" + std::to_string(tasks_[i].script);
  running_tasks_.pop_front();
  tasks_[i].registered = false;
  tasks_[i].epoch = epoch_;
  run_script(event.script, event.object);
  return std::nullopt;
}

}  // namespace refloop::model::loop
