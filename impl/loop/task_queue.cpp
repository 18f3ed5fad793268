// SPDX-License-Identifier: ISC
// The task queue (spec/loop.md, TASK-002..006) and the Loop's task registration. Tasks are
// intrusive: each Task's state holds the links, so register and unregister are O(1) and
// allocate nothing. A sentinel Task heads each list, so unlinking never needs to know which
// list a task is on.
#include "task_queue.hpp"

#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {
Task* next_of(const Task& task) { return static_cast<Task*>(task.state.next); }
Task* prev_of(const Task& task) { return static_cast<Task*>(task.state.prev); }
}  // namespace

TaskQueue::TaskQueue() { pending_.state.next = pending_.state.prev = &pending_; }

void TaskQueue::append(Task& sentinel, Task& task) {
  Task* last = prev_of(sentinel);
  task.state.prev = last;
  task.state.next = &sentinel;
  last->state.next = &task;
  sentinel.state.prev = &task;
}

void TaskQueue::unlink(Task& task) {
  prev_of(task)->state.next = task.state.next;
  next_of(task)->state.prev = task.state.prev;
  task.state.next = task.state.prev = nullptr;
}

// Splices the whole list of `from` in front of the list of `to_front_of`; `from` ends empty.
void TaskQueue::move_all(Task& from, Task& to_front_of) {
  if (is_empty(from)) return;
  Task* first = next_of(from);
  Task* last = prev_of(from);
  Task* old_first = next_of(to_front_of);
  to_front_of.state.next = first;
  first->state.prev = &to_front_of;
  last->state.next = old_first;
  old_first->state.prev = last;
  from.state.next = from.state.prev = &from;
}

// implements: TASK-004 (a task that already ran in this pass waits for the next one)
void TaskQueue::push(Task& task) {
  const bool joins_this_pass = open_pass_ != nullptr && task.state.epoch != open_pass_->epoch_;
  append(joins_this_pass ? open_pass_->run_list_ : pending_, task);
}

TaskQueue::Pass::Pass(TaskQueue& queue) : queue_(queue), epoch_(++queue.epoch_) {
  run_list_.state.next = run_list_.state.prev = &run_list_;
  move_all(queue_.pending_, run_list_);
  queue_.open_pass_ = this;
}

// implements: LOOP-011 (after a pass, nested or not, no pass takes newcomers, as in ivykis)
TaskQueue::Pass::~Pass() {
  move_all(run_list_, queue_.pending_);
  queue_.open_pass_ = nullptr;
}

Task* TaskQueue::Pass::next() {
  if (is_empty(run_list_)) return nullptr;
  Task* task = next_of(run_list_);
  unlink(*task);
  task->state.epoch = epoch_;
  return task;
}

}  // namespace refloop::detail

namespace refloop {

// implements: TASK-002
void Loop::register_task(Task& task) {
  if (registered(task)) fatal("Loop::register_task: called with task still on a list");
  task.state.owner = serial_;
  tasks_->push(task);
  ++registered_count_;
}

// implements: TASK-003
void Loop::unregister_task(Task& task) {
  if (!registered(task)) fatal("Loop::unregister_task: called with task not on a list");
  if (task.state.owner != serial_)  // implements: LOOP-013
    fatal("Loop::unregister_task: called with an object registered with another loop");
  detail::TaskQueue::unlink(task);
  task.state.owner = 0;
  --registered_count_;
}

void Loop::stamp_task(Task& task) const { task.state.epoch = tasks_->epoch(); }

// implements: TASK-002 (FIFO, each task unregistered before its handler runs), LOOP-011 (the
// pass is this call's own, so a nested run's pass cannot disturb it)
void Loop::run_tasks() {
  detail::TaskQueue::Pass pass(*tasks_);
  while (Task* task = pass.next()) {
    task->state.owner = 0;
    --registered_count_;
    if (task->handler != nullptr) task->handler(task->cookie);
  }
}

}  // namespace refloop
