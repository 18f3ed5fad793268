// SPDX-License-Identifier: ISC
// The task queue of one loop (spec/loop.md, TASK): an intrusive FIFO list with a sentinel node,
// `pending` (runs at the next task pass), and one run list per pass in progress, which lives in
// that pass (on the stack of the step 2 running it), so a nested run's pass (LOOP-011) never
// touches an enclosing pass's unfinished list. A pass counter, the epoch, implements ivykis's
// anti-starvation rule (TASK-004).
#pragma once

#include <cstdint>

#include "refloop/loop/loop.hpp"

namespace refloop::detail {

class TaskQueue {
 public:
  TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  [[nodiscard]] bool pending() const { return !is_empty(pending_); }
  [[nodiscard]] std::uint64_t epoch() const { return epoch_; }

  // Appends to the current pass if one is open to newcomers and the task has not run in it;
  // otherwise to the pending list.
  void push(Task& task);
  static void unlink(Task& task);

  // One task pass: takes the whole pending list when constructed and hands out its tasks in FIFO
  // order, stamping each with the pass's epoch; next() is nullptr when the pass is over. As in
  // ivykis, only the innermost pass takes newcomers, and once a nested pass has ended no pass
  // does: tasks registered in the rest of an enclosing pass wait for the next one. A pass left
  // early (a handler threw) puts its unfinished tasks back at the front of the pending list.
  class Pass {
   public:
    // Out of line: the pass stores its own address in the queue (~Pass clears it), which GCC 12
    // reports as a dangling pointer once the constructor is inlined into Loop::run_tasks.
    [[gnu::noinline]] explicit Pass(TaskQueue& queue);
    ~Pass();
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Task* next();

   private:
    friend class TaskQueue;
    TaskQueue& queue_;
    Task run_list_{};  // sentinel of this pass's list
    std::uint64_t epoch_;
  };

 private:
  static bool is_empty(const Task& sentinel) { return sentinel.state.next == &sentinel; }
  static void append(Task& sentinel, Task& task);
  static void move_all(Task& from, Task& to_front_of);

  Task pending_{};
  Pass* open_pass_ = nullptr;  // the pass newcomers may join, or null
  std::uint64_t epoch_ = 0;    // the number of passes begun; a default Task carries epoch 0
};

}  // namespace refloop::detail
