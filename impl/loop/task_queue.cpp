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

TaskQueue::TaskQueue() {
  pending_.state.next = pending_.state.prev = &pending_;
  running_.state.next = running_.state.prev = &running_;
}

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

// implements: TASK-004 (a task that already ran in this pass waits for the next one)
void TaskQueue::push(Task& task) {
  const bool joins_this_pass = in_pass_ && task.state.epoch != epoch_;
  append(joins_this_pass ? running_ : pending_, task);
}

void TaskQueue::begin_pass() {
  ++epoch_;
  in_pass_ = true;
  if (is_empty(pending_)) return;
  // Splice the whole pending list onto the (empty) running list.
  Task* first = next_of(pending_);
  Task* last = prev_of(pending_);
  running_.state.next = first;
  running_.state.prev = last;
  first->state.prev = &running_;
  last->state.next = &running_;
  pending_.state.next = pending_.state.prev = &pending_;
}

Task* TaskQueue::next_in_pass() {
  if (is_empty(running_)) {
    in_pass_ = false;
    return nullptr;
  }
  Task* task = next_of(running_);
  unlink(*task);
  task->state.epoch = epoch_;
  return task;
}

}  // namespace refloop::detail

namespace refloop {

// implements: TASK-002
void Loop::register_task(Task& task) {
  if (registered(task)) fatal("Loop::register_task: called with task still on a list");
  task.state.owner = this;
  tasks_->push(task);
  ++registered_count_;
}

// implements: TASK-003
void Loop::unregister_task(Task& task) {
  if (!registered(task)) fatal("Loop::unregister_task: called with task not on a list");
  if (task.state.owner != this)
    fatal("Loop::unregister_task: called with an object registered with another loop");
  detail::TaskQueue::unlink(task);
  task.state.owner = nullptr;
  --registered_count_;
}

void Loop::stamp_task(Task& task) const { task.state.epoch = tasks_->epoch(); }

// implements: TASK-002 (FIFO, each task unregistered before its handler runs)
void Loop::run_tasks() {
  tasks_->begin_pass();
  while (Task* task = tasks_->next_in_pass()) {
    task->state.owner = nullptr;
    --registered_count_;
    if (task->handler != nullptr) task->handler(task->cookie);
  }
}

}  // namespace refloop
