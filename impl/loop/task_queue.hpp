// SPDX-License-Identifier: ISC
// The task queue of one loop (spec/loop.md, TASK): two intrusive FIFO lists with sentinel
// nodes, `pending` (runs at the next task pass) and `running` (the pass in progress), and a
// pass counter, the epoch, that implements ivykis's anti-starvation rule (TASK-004).
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

  // Appends to the running pass if a pass is in progress and the task has not run in it;
  // otherwise to the pending list.
  void push(Task& task);
  static void unlink(Task& task);

  // The pass: detaches the pending list, then pops and returns tasks in FIFO order, stamping
  // each with the pass's epoch; nullptr when the pass is over.
  void begin_pass();
  Task* next_in_pass();

 private:
  static bool is_empty(const Task& sentinel) { return sentinel.state.next == &sentinel; }
  static void append(Task& sentinel, Task& task);

  Task pending_{};
  Task running_{};
  std::uint64_t epoch_ = 0;  // the number of passes begun; a default Task carries epoch 0
  bool in_pass_ = false;
};

}  // namespace refloop::detail
